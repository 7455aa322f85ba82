/**
 * What a sandboxed plugin's Worker may send the engine, as zod schemas: the
 * plugin's own code runs in that Worker and can post anything, so the engine
 * parses every message and every reply value before using it. protocol.ts
 * takes its Worker-side types from here (type-only, so the Worker never
 * loads zod).
 */
import { z } from "zod";
import { channelKinds } from "../channel.ts";
import { pluginHookNames } from "../plugin.ts";

const health = z.object({
  status: z.enum(["healthy", "degraded", "unhealthy"]),
  detail: z.string(),
});

const header = z.tuple([z.string(), z.string()]);

/** An error as it crosses the boundary. */
export const serializedErrorSchema = z.object({
  name: z.string(),
  message: z.string(),
  code: z.string().optional(),
  retriable: z.boolean().optional(),
});

/** A response of the plugin's routes. */
export const serializedResponseSchema = z.object({
  // What the Response constructor accepts.
  status: z.number().int().min(200).max(599),
  statusText: z.string(),
  headers: z.array(header),
  body: z.instanceof(ArrayBuffer).nullable(),
});

/** The value each operation answers with. */
export const resultSchemas = {
  handle: z.null(),
  facts: z.record(
    z.string(),
    z.record(z.string(), z.union([z.number(), z.boolean(), z.string(), z.null()])),
  ),
  fetch: serializedResponseSchema,
  health,
  send: z.object({
    status: z.enum(["sent", "delivered"]),
    providerMessageId: z.string().nullable(),
  }),
  channelHealth: health,
  exportCustomer: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))),
  eraseCustomer: z.record(z.string(), z.number().int().nonnegative()),
  stop: z.null(),
} as const;

const id = z.number().int().nonnegative();

/** Any message from a Worker. */
export const workerMessageSchema = z.union([
  z.object({
    kind: z.literal("ready"),
    hooks: z.array(z.enum(pluginHookNames)),
    events: z.array(z.string()),
  }),
  z.object({
    kind: z.literal("channel"),
    id: z.string(),
    channelKind: z.enum(channelKinds),
    hasHealthCheck: z.boolean(),
  }),
  z.object({
    kind: z.literal("failed"),
    stage: z.enum(["import", "setup"]),
    error: serializedErrorSchema,
  }),
  z.object({ kind: z.literal("reply"), id, ok: z.literal(true), value: z.unknown() }),
  z.object({ kind: z.literal("reply"), id, ok: z.literal(false), error: serializedErrorSchema }),
  z.object({
    kind: z.literal("log"),
    level: z.enum(["debug", "info", "warn", "error"]),
    message: z.string(),
    fields: z.record(z.string(), z.unknown()),
  }),
  z.object({ kind: z.literal("exit"), how: z.string() }),
]);
