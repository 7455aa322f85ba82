/**
 * The messages between the engine and a sandboxed plugin's Worker. Every
 * message is plain structured-clone data: the engine asks (`start`, then
 * `call`s, each with a request id), the Worker answers (`ready` or `failed`,
 * then one `reply` per call: ok and a value, or an error) and reports on its
 * own (`channel`, `log`, `exit`). The Worker → engine shapes are the zod
 * schemas of worker_messages.ts, imported here as types only, so the Worker
 * loads neither zod nor anything else it does not need.
 */
import type { z } from "zod";
import type { OutgoingMessage } from "../channel.ts";
import type { PluginManifest } from "../manifest.ts";
import type { pluginHookNames } from "../plugin.ts";
import type { PluginEvent } from "../subscriber.ts";
import type {
  resultSchemas,
  serializedErrorSchema,
  serializedResponseSchema,
  workerMessageSchema,
} from "./worker_messages.ts";

/** A request as it crosses into the Worker: its body travels as bytes. */
export interface SerializedRequest {
  method: string;
  url: string;
  headers: [string, string][];
  body: ArrayBuffer | null;
}

/** A response as it crosses back to the engine. */
export type SerializedResponse = z.infer<typeof serializedResponseSchema>;

/** An error as it crosses: its class is lost, so what callers branch on is copied. */
export type SerializedError = z.infer<typeof serializedErrorSchema>;

/** What the engine asks a plugin to do, one operation per hook. */
export type SandboxCall =
  | { op: "handle"; event: PluginEvent }
  | { op: "facts"; customerIds: string[]; asOf: string }
  | { op: "fetch"; request: SerializedRequest }
  | { op: "health" }
  | { op: "send"; channelId: string; message: OutgoingMessage }
  | { op: "channelHealth"; channelId: string }
  | { op: "exportCustomer"; customerId: string }
  | { op: "eraseCustomer"; customerId: string; pseudonym: string }
  | { op: "stop" };

/** The name of an operation. */
export type SandboxOperation = SandboxCall["op"];

/** What each operation answers with. */
export type SandboxResults = { [Op in SandboxOperation]: z.infer<typeof resultSchemas[Op]> };

/** Engine → Worker: load the plugin and run its setup (sent once, first). */
export interface StartMessage {
  kind: "start";
  /** The file URL of the plugin's mod.ts. */
  moduleUrl: string;
  manifest: PluginManifest;
  config: Record<string, unknown>;
}

/** Engine → Worker: run one operation. */
export interface CallMessage {
  kind: "call";
  id: number;
  call: SandboxCall;
}

/** Engine → Worker: the caller stopped waiting; abort the call's signal. */
export interface AbortMessage {
  kind: "abort";
  id: number;
}

/** Any message the engine sends. */
export type HostMessage = StartMessage | CallMessage | AbortMessage;

/** A hook name, e.g. `"facts"`. */
export type HookName = typeof pluginHookNames[number];

/**
 * Any message a Worker sends: `ready` (with its hooks and handled event
 * types), `channel` (setup registered one), `failed` (at the `import` or
 * `setup` stage), `reply`, `log`, `exit` (the plugin ends its own Worker).
 */
export type WorkerMessage = z.infer<typeof workerMessageSchema>;

/** Copies what crosses the boundary from a thrown value. */
export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const out: SerializedError = { name: error.name, message: error.message };
  // Duck-typed: the plugin's DeliveryError or EngineError may not be our class.
  const fields = error as Error & { code?: unknown; retriable?: unknown };
  if (typeof fields.code === "string") out.code = fields.code;
  if (typeof fields.retriable === "boolean") out.retriable = fields.retriable;
  return out;
}
