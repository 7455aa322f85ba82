/**
 * The PluginContext a sandboxed plugin's setup gets, built inside its
 * Worker: the declared environment variables, a logger whose lines go to
 * the engine's log, and a registerChannel that tells the engine the
 * channel's id and kind (the channel itself stays in the Worker).
 */
import type { LogFields, Logger, LogLevel } from "../../log.ts";
import type { Channel } from "../channel.ts";
import { undeclared, undeclaredChannel } from "../hook_check.ts";
import type { PluginManifest } from "../manifest.ts";
import type { PluginContext } from "../plugin.ts";
import type { WorkerMessage } from "./protocol.ts";

/** Sends a message to the engine. */
export type PostToHost = (message: WorkerMessage) => void;

/** A context, and the channels registered through it. */
export interface WorkerContext {
  context: PluginContext;
  channels: Map<string, Channel>;
  /** Ends registration: channels can only be registered during setup. */
  close(): void;
}

/** Builds the context for `manifest`'s plugin; `post` reaches the engine. */
export function workerContext(
  manifest: PluginManifest,
  config: Record<string, unknown>,
  post: PostToHost,
): WorkerContext {
  const channels = new Map<string, Channel>();
  let open = true;
  const log = workerLogger(post, {});
  const context: PluginContext = {
    name: manifest.name,
    version: manifest.version,
    config: Object.freeze(config),
    env: declaredEnvironment(manifest),
    log,
    engine: undefined,
    registerChannel(channel) {
      if (!open) {
        throw new Error(
          `Plugin "${manifest.name}": channels can only be registered during setup`,
        );
      }
      const refused = undeclaredChannel(manifest, String(channel.kind));
      if (refused) throw refused;
      if (typeof channel.id !== "string" || channels.has(channel.id)) {
        throw new Error(
          `Plugin "${manifest.name}": it registers the channel "${String(channel.id)}" twice ` +
            "(or without an id); give each channel its own id",
        );
      }
      channels.set(channel.id, channel);
      post({
        kind: "channel",
        id: channel.id,
        channelKind: channel.kind,
        hasHealthCheck: typeof channel.checkHealth === "function",
      });
      log.info("channel registered", { channel: channel.id, kind: channel.kind });
    },
  };
  return { context, channels, close: () => (open = false) };
}

/**
 * The declared variables, read from the process environment (the Worker's
 * env permission allows exactly these). Reading an undeclared one through
 * `context.env` throws the same error as in the engine's process
 * (in_process.ts), rather than quietly giving undefined.
 */
function declaredEnvironment(manifest: PluginManifest): Readonly<Record<string, unknown>> {
  const declared = new Set(manifest.permissions.env);
  const values: Record<string, string> = {};
  for (const name of declared) {
    const value = Deno.env.get(name);
    if (value !== undefined) values[name] = value;
  }
  return new Proxy(Object.freeze(values), {
    get(target, key) {
      if (typeof key === "string" && /^[A-Z][A-Z0-9_]*$/.test(key) && !declared.has(key)) {
        throw undeclared(manifest.name, `it reads ${key}`, `"${key}" to permissions.env`);
      }
      return Reflect.get(target, key);
    },
  });
}

/** A Logger whose lines are posted to the engine, which writes them with the plugin's name. */
function workerLogger(post: PostToHost, base: LogFields): Logger {
  const emit = (level: LogLevel) => (message: string, fields: LogFields = {}) =>
    post({ kind: "log", level, message: String(message), fields: { ...base, ...fields } });
  return {
    debug: emit("debug"),
    info: emit("info"),
    warn: emit("warn"),
    error: emit("error"),
    child: (fields) => workerLogger(post, { ...base, ...fields }),
  };
}
