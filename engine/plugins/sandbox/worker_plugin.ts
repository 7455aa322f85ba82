/**
 * Inside the Worker: importing the plugin's mod.ts and starting it the way
 * the engine starts a first-party plugin (in_process.ts): its definition,
 * settings and setup, then its hooks checked against the closed list and
 * its manifest, so an undeclared hook fails here with what to add to
 * plugin.json.
 */
import type { Hono } from "hono";
import { EngineError } from "../../errors.ts";
import type { Channel } from "../channel.ts";
import { checkDefinition, checkHooks } from "../hook_check.ts";
import type { PluginDefinition, PluginHooks } from "../plugin.ts";
import type { StartMessage } from "./protocol.ts";
import { type PostToHost, workerContext } from "./worker_context.ts";

/** A started plugin, as the Worker holds it. */
export interface LoadedPlugin {
  name: string;
  hooks: PluginHooks;
  channels: ReadonlyMap<string, Channel>;
  /** Its routes, under `/plugins/<name>`; null without a routes hook. */
  app: Hono | null;
}

/** A failure to start, and at which stage (an import failure gets its own code). */
export class StartFailure extends Error {
  readonly stage: "import" | "setup";

  constructor(stage: "import" | "setup", cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = "StartFailure";
    this.stage = stage;
  }
}

/** Imports and starts the plugin `start` names; throws StartFailure. */
export async function loadPlugin(start: StartMessage, post: PostToHost): Promise<LoadedPlugin> {
  const { manifest } = start;
  let module: { default?: unknown };
  try {
    module = await import(start.moduleUrl);
  } catch (error) {
    throw new StartFailure("import", error);
  }
  const { context, channels, close } = workerContext(manifest, start.config, post);
  try {
    const definition = checkDefinition(manifest.name, module.default) as PluginDefinition<unknown>;
    const settings = definition.settings?.(context.env, context.config);
    const hooks = checkHooks(manifest, await definition.setup?.(context, settings));
    const app = hooks.routes ? await routesApp(manifest.name, hooks.routes) : null;
    return { name: manifest.name, hooks, channels, app };
  } catch (error) {
    throw new StartFailure("setup", setupError(manifest.name, error));
  } finally {
    close();
  }
}

// Hono is loaded only by plugins with routes: most Workers never need it.
async function routesApp(name: string, routes: (app: Hono) => void): Promise<Hono> {
  const { Hono } = await import("hono");
  const app = new Hono().basePath(`/plugins/${name}`);
  routes(app);
  return app;
}

// The same wording as a first-party plugin's failed setup (in_process.ts).
function setupError(plugin: string, error: unknown): unknown {
  if (error instanceof Error && typeof (error as { code?: unknown }).code === "string") {
    return error;
  }
  const message = error instanceof Error ? error.message : String(error);
  return new EngineError(
    "PLUGIN_INVALID",
    `Cannot register plugin "${plugin}": its setup failed: ${message}`,
    { cause: error },
  );
}
