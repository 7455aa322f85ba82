/**
 * The event hub: durable, at-least-once delivery of the domain event log to
 * plugins, in log order per plugin, with retries, a circuit breaker and dead
 * letters per plugin, one deliverer per plugin across engines, and replay;
 * or, for plugins whose manifest says `"delivery": "every-engine"`, live
 * delivery in every engine with nothing stored. docs/events.md ("Delivery to
 * plugins") explains how it works.
 *
 * @example
 * ```ts
 * const hub = new EventHub({ db, clock, log, subscribers, settings: eventHubSettings(config) });
 * const delivering = hub.run(stopping.signal); // until the signal aborts
 * await hub.replay("viral", { eventId: 120 }, { actor: "token:3", now: clock.now() });
 * const status = await hub.status(); // per plugin: waiting, breaker, dead letters, …
 * ```
 */
export { EVENT_LOG_CHANNEL, EventHub, type EventHubOptions, type EventHubView } from "./hub.ts";
export { type EventHubSettings, eventHubSettings } from "./settings.ts";
export {
  type DurableDeliveryStatus,
  type LiveDeliveryStatus,
  type PluginDeliveryStatus,
  WAITING_COUNTED,
} from "./status_sql.ts";
export type { LogPosition } from "./state.ts";
export type { DeadLetter, DeadLetterQuery } from "./dead_letters_sql.ts";
export {
  parseReplayFrom,
  type ReplayChange,
  type ReplayFrom,
  type ReplayResult,
} from "./replay.ts";
export type { StartAt } from "./plugins_sql.ts";
export type { BreakerState } from "./breaker.ts";
