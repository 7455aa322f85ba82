/**
 * Starting a first-party plugin in the engine's own process: its settings
 * and setup run here, its hooks are checked against its manifest, and it is
 * wrapped as a RunningPlugin so the rest of the engine treats it like a
 * sandboxed one. A hook that throws or hangs fails that call only.
 */
import { Hono } from "hono";
import { EngineError, isEngineError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { Channel } from "./channel.ts";
import {
  checkDefinition,
  checkFactValues,
  checkHooks,
  undeclared,
  undeclaredChannel,
} from "./hook_check.ts";
import type { PluginManifest } from "./manifest.ts";
import type {
  EngineAccess,
  PluginContext,
  PluginDefinition,
  PluginFactValues,
  PluginHealth,
  PluginHooks,
} from "./plugin.ts";
import type { RunningPlugin } from "./running.ts";
import type { PluginEvent } from "./subscriber.ts";

/** What starting a plugin in the engine's process needs. */
export interface InProcessOptions {
  manifest: PluginManifest;
  // Each definition's setup gets what its own settings() returned: the type is the module's.
  definition: PluginDefinition<never>;
  /** Its configuration, already checked against the manifest's schema. */
  config: Readonly<Record<string, unknown>>;
  /** Where its declared environment variables are read (the engine's configuration). */
  environment: Readonly<Record<string, unknown>>;
  log: Logger;
  engine: EngineAccess;
  /** How long health, facts and stop hooks may take; 5 s when not given. */
  hookTimeoutMs?: number;
}

/** Starts the plugin; throws PLUGIN_INVALID, PLUGIN_CAPABILITY_UNDECLARED or its CONFIG_INVALID. */
export async function startInProcessPlugin(options: InProcessOptions): Promise<RunningPlugin> {
  const { manifest, log } = options;
  const definition = checkDefinition(manifest.name, options.definition) as PluginDefinition<
    unknown
  >;
  const timeoutMs = options.hookTimeoutMs ?? 5_000;
  // A customer's rows in a plugin, or a downstream erasure, may take longer than a health check.
  const privacyTimeoutMs = Math.max(timeoutMs, 60_000);
  const env = declaredEnvironment(manifest, options.environment);
  const channels: Channel[] = [];
  let open = true;
  const context: PluginContext = {
    name: manifest.name,
    version: manifest.version,
    config: options.config,
    env,
    log,
    engine: options.engine,
    registerChannel(channel) {
      if (!open) throw invalid(manifest.name, "channels can only be registered during setup");
      const refused = undeclaredChannel(manifest, String(channel.kind));
      if (refused) throw refused;
      channels.push(channel);
      log.info("channel registered", { channel: channel.id, kind: channel.kind });
    },
  };
  let hooks: PluginHooks;
  try {
    const settings = definition.settings?.(env, options.config);
    hooks = checkHooks(manifest, await definition.setup?.(context, settings));
  } catch (error) {
    await closeChannels(channels, log);
    if (isEngineError(error)) throw error;
    throw invalid(manifest.name, `its setup failed: ${messageOf(error)}`, error);
  } finally {
    open = false;
  }
  const routes = hooks.routes ? routesApp(manifest.name, hooks.routes) : null;
  return {
    manifest,
    sandboxed: false,
    channels,
    handle(event: PluginEvent, signal: AbortSignal): Promise<void> {
      const handler = hooks.on?.[event.type];
      if (!handler) return Promise.resolve();
      return untilAborted(handler({ ...event, signal }), signal, manifest.name);
    },
    async facts(customerIds, asOf): Promise<PluginFactValues> {
      if (!hooks.facts) return {};
      const values = await withTimeout(
        hooks.facts({ customerIds, asOf: asOf.toISOString() }),
        timeoutMs,
        `Plugin "${manifest.name}": its facts hook did not answer within ${timeoutMs} ms`,
      );
      return checkFactValues(manifest, values);
    },
    async exportCustomer(customerId) {
      if (!hooks.exportCustomer) return {};
      return await withTimeout(
        hooks.exportCustomer({ customerId }),
        privacyTimeoutMs,
        `Plugin "${manifest.name}": its exportCustomer hook did not answer within ${privacyTimeoutMs} ms`,
      );
    },
    async eraseCustomer(customerId, pseudonym) {
      if (!hooks.eraseCustomer) return {};
      return await withTimeout(
        hooks.eraseCustomer({ customerId, pseudonym }),
        privacyTimeoutMs,
        `Plugin "${manifest.name}": its eraseCustomer hook did not answer within ${privacyTimeoutMs} ms`,
      );
    },
    // async: a route's error (rethrown by onError) may escape Hono synchronously.
    async fetch(request) {
      return routes ? await routes.fetch(request) : notFound(manifest.name);
    },
    async health(): Promise<PluginHealth> {
      if (!hooks.health) return { status: "healthy", detail: "running in the engine's process" };
      try {
        return await withTimeout(
          hooks.health(),
          timeoutMs,
          `its health check did not answer within ${timeoutMs} ms`,
        );
      } catch (error) {
        return { status: "unhealthy", detail: `the health check failed: ${messageOf(error)}` };
      }
    },
    async stop() {
      try {
        if (hooks.stop) await withTimeout(hooks.stop(), timeoutMs, "its stop hook hung");
      } catch (error) {
        log.warn("stopping the plugin failed", { error });
      }
      await closeChannels(channels, log);
    },
  };
}

/**
 * The declared variables, read from the engine's configuration. Reading an
 * undeclared one throws, as Deno's permissions do in a sandbox, so a plugin
 * that works here also works from PLUGINS_DIR.
 */
function declaredEnvironment(
  manifest: PluginManifest,
  environment: Readonly<Record<string, unknown>>,
): Readonly<Record<string, unknown>> {
  const declared = new Set(manifest.permissions.env);
  const values = Object.fromEntries(
    manifest.permissions.env.map((name) => [name, environment[name]]).filter(([, v]) =>
      v !== undefined
    ),
  );
  return new Proxy(values, {
    get(target, key) {
      if (typeof key === "string" && /^[A-Z][A-Z0-9_]*$/.test(key) && !declared.has(key)) {
        throw undeclared(manifest.name, `it reads ${key}`, `"${key}" to permissions.env`);
      }
      return Reflect.get(target, key);
    },
  });
}

// Routes live under /plugins/<name>, and get the request as the server received it
// (a WebSocket upgrade needs the original request).
function routesApp(name: string, routes: (app: Hono) => void): Hono {
  const app = new Hono().basePath(`/plugins/${name}`);
  // Errors go back to the engine's one error mapping (a problem+json with the request id and the
  // path of each bad field) rather than becoming Hono's plain 500; a plugin may set its own.
  app.onError((error) => {
    throw error;
  });
  routes(app);
  return app;
}

function notFound(plugin: string): Response {
  return Response.json(
    { title: "No such route", detail: `Plugin "${plugin}" has no routes` },
    { status: 404, headers: { "content-type": "application/problem+json" } },
  );
}

function untilAborted(work: Promise<void>, signal: AbortSignal, plugin: string): Promise<void> {
  if (signal.aborted) return Promise.reject(aborted(plugin, signal));
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(aborted(plugin, signal));
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function aborted(plugin: string, signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : new Error(`Plugin "${plugin}": the handler was stopped before it finished`);
}

async function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function closeChannels(channels: readonly Channel[], log: Logger): Promise<void> {
  for (const channel of channels) {
    try {
      await channel.close?.();
    } catch (error) {
      log.warn("closing a channel failed", { channel: channel.id, error });
    }
  }
}

function invalid(plugin: string, problem: string, cause?: unknown): EngineError {
  return new EngineError(
    "PLUGIN_INVALID",
    `Cannot register plugin "${plugin}": ${problem}`,
    cause === undefined ? {} : { cause },
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
