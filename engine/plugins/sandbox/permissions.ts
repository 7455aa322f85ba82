/**
 * What a sandboxed plugin's Worker may do: exactly what its plugin.json
 * declares, plus reading its own folder so its modules can load.
 */
import type { PluginManifest } from "../manifest.ts";

/**
 * The Worker's permissions for `manifest`, whose plugin lives in `directory`
 * (absolute, symlinks resolved). Every key is set: a key left out would be
 * "inherit", i.e. the engine's own permissions.
 *
 * - `net`: the manifest's hosts and host:port pairs, in Deno's own syntax
 *   (manifest.ts checks it); none declared → no network at all, which also
 *   means the plugin cannot listen on a port.
 * - `env`: the manifest's variable names; none declared → none readable.
 * - `read`: the plugin's folder only. Importing a module dynamically needs
 *   read access to it and to every file it imports (checked on Deno 2.9), so
 *   without this the Worker could not load mod.ts. Nothing else needs it:
 *   the bootstrap and the engine modules it imports statically are the
 *   Worker's own module graph, which Deno loads without a check, and a
 *   plugin importing one of those same files gets the already-loaded module;
 *   npm packages load from Deno's global cache (the project sets
 *   `nodeModulesDir: "none"`), which module loading reads without a check.
 * - `import: false`: no code from https: URLs at run time.
 * - `write`, `run`, `ffi`, `sys`: nothing.
 */
export function sandboxPermissions(
  manifest: PluginManifest,
  directory: string,
): Deno.PermissionOptionsObject {
  const { net, env } = manifest.permissions;
  return {
    net: net.length > 0 ? [...net] : false,
    env: env.length > 0 ? [...env] : false,
    read: [directory],
    write: false,
    run: false,
    ffi: false,
    sys: false,
    import: false,
  };
}
