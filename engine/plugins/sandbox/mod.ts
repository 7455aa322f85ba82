/**
 * The plugin sandbox: a plugin of PLUGINS_DIR runs in its own Deno Worker
 * holding only the permissions its plugin.json declares, and the engine
 * uses it through the same RunningPlugin as a first-party plugin. Hooks that
 * throw fail their call; calls that hang end the Worker, which is restarted
 * with backoff (docs/plugin-sandbox.md).
 *
 * @example
 * ```ts
 * const plugin = await startSandboxedPlugin({ directory, manifest, config, log });
 * await plugin.handle(event, AbortSignal.timeout(30_000));
 * console.log(await plugin.health());
 * await plugin.stop();
 * ```
 */
export { type SandboxedPluginOptions, startSandboxedPlugin } from "./start.ts";
export { defaultRestartPolicy, type RestartPolicy } from "./restart_policy.ts";
export { sandboxPermissions } from "./permissions.ts";
