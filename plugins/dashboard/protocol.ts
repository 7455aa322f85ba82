/**
 * The feed's wire protocol (README.md has examples). Every message is one
 * JSON text frame with a `type` and, from the server, a `seq`: the message's
 * place on its connection, from 1 (the hello), without gaps, so a client
 * can tell it missed nothing. Clients send `ping` and `subscribe`; anything
 * else is answered with an `error`, and too many of those close the socket.
 */
import { z } from "zod";
import type { DomainEventType } from "../../engine/events/mod.ts";
import type { PluginEvent } from "../../engine/plugins/mod.ts";
import type { MetricChange, MetricValues } from "./metrics.ts";

/** The protocol's version, sent in every hello. */
export const PROTOCOL_VERSION = 1;

/** The event types the feed carries (plugin.json's subscriptions, checked by a test). */
export const feedEventTypes = [
  "customer.updated",
  "milestone.achieved",
  "health.changed",
  "churn.predicted",
  "rule.fired",
  "rule.disabled",
  "ml.degraded",
  "intervention.planned",
  "intervention.sent",
  "intervention.failed",
] as const satisfies readonly DomainEventType[];

/** One of the event types the feed carries. */
export type FeedEventType = typeof feedEventTypes[number];

/** Close codes (RFC 6455 section 7.4) with the reason sent beside each. */
export const closeCodes = {
  /** The plugin stops: the engine shuts down, or the plugin is disabled or reconfigured. */
  goingAway: 1001,
  /** The client sent `maxInvalidMessages` invalid messages. */
  policyViolation: 1008,
  /** The client fell too far behind; it may connect again. */
  tryAgainLater: 1013,
} as const;

/** What a client asks for besides the whole feed. */
export interface ClientFilter {
  /** The event types it gets; deltas and heartbeats come whatever it chose. */
  events: readonly FeedEventType[];
}

/** The first message on a connection: what the client will get. */
export interface HelloMessage {
  type: "hello";
  protocol: number;
  serverTime: string;
  plugin: { name: string; version: string };
  /** Who the engine says the caller is; absent on the push endpoint. */
  actor?: { id: string; role: string };
  /** The event types this connection gets (its filter). */
  events: readonly FeedEventType[];
  /** The metrics' current values, and since when they count. */
  metrics: MetricValues;
  metricsSince: string;
  heartbeatSeconds: number;
  limits: { maxQueuedMessages: number; maxQueuedBytes: number; maxInvalidMessages: number };
  /** Push endpoint only: messages dropped so far while it was unreachable. */
  dropped?: number;
}

/** The messages the server sends, without `seq` (added per connection). */
export type ServerMessage =
  | HelloMessage
  | { type: "event"; event: PluginEvent }
  | {
    type: "delta";
    /** The event that moved the metrics. */
    eventId: number;
    eventType: FeedEventType;
    occurredAt: string;
    changes: readonly MetricChange[];
  }
  | { type: "heartbeat"; serverTime: string }
  | { type: "pong"; serverTime: string; id: string | number | null }
  | { type: "subscribed"; events: readonly FeedEventType[] }
  | {
    type: "error";
    code: "INVALID_MESSAGE";
    message: string;
    invalidMessages: number;
    maxInvalidMessages: number;
  };

/** Longer client messages are refused unread: nothing a client may send comes near it. */
export const MAX_CLIENT_MESSAGE_BYTES = 4096;

const eventTypes = z.array(
  z.enum(feedEventTypes, {
    error: `must be one of the feed's event types: ${feedEventTypes.join(", ")}`,
  }),
).min(1, { error: "must name at least one event type" }).max(feedEventTypes.length * 2);

const clientMessage = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("ping"),
    id: z.union([z.string().max(100), z.number()]).optional(),
  }),
  z.strictObject({ type: z.literal("subscribe"), events: eventTypes }),
], { error: 'must have "type": "ping" or "subscribe"' });

/** A message a client may send. */
export type ClientMessage = z.infer<typeof clientMessage>;

/** The client's message, or what is wrong with it (sent back in an `error`). */
export function parseClientMessage(
  data: unknown,
): { ok: true; message: ClientMessage } | { ok: false; problem: string } {
  if (typeof data !== "string") {
    return { ok: false, problem: "Binary messages are not understood: send JSON text" };
  }
  if (data.length > MAX_CLIENT_MESSAGE_BYTES) {
    return { ok: false, problem: `Messages are at most ${MAX_CLIENT_MESSAGE_BYTES} bytes` };
  }
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { ok: false, problem: 'Not JSON: send an object such as {"type":"ping"}' };
  }
  const result = clientMessage.safeParse(json);
  if (result.success) return { ok: true, message: result.data };
  const issue = result.error.issues[0]!;
  const path = issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
  return { ok: false, problem: `Not a message of this feed: ${path}${issue.message}` };
}

/** The event types in `?events=a,b`, or what is wrong with them; every type when absent. */
export function parseEventsQuery(
  value: string | undefined,
): { ok: true; events: FeedEventType[] } | { ok: false; problem: string } {
  if (value === undefined) return { ok: true, events: [...feedEventTypes] };
  const result = eventTypes.safeParse(value.split(",").map((type) => type.trim()));
  if (result.success) return { ok: true, events: uniqueInFeedOrder(result.data) };
  return { ok: false, problem: result.error.issues[0]!.message };
}

/** The types in the feed's order, each once. */
export function uniqueInFeedOrder(types: readonly FeedEventType[]): FeedEventType[] {
  return feedEventTypes.filter((type) => types.includes(type));
}

/**
 * A message as a frame: `{"type":…,"seq":n,…}`. The rest of the message is
 * serialized once per broadcast (`fields`), not once per client.
 */
export function frame(seq: number, type: ServerMessage["type"], fields: string): string {
  const head = `{"type":"${type}","seq":${seq}`;
  return fields === "{}" ? `${head}}` : `${head},${fields.slice(1)}`;
}

/** The JSON of a message without its `type` (frame() puts it first). */
export function fieldsOf(message: ServerMessage): string {
  const { type: _type, ...fields } = message;
  return JSON.stringify(fields);
}
