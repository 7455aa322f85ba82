/**
 * What the event hub delivers and to whom: a plugin's subscription as the
 * hub sees it, whether the plugin runs in the engine's process or in its own
 * Worker. Events cross into Workers and out over HTTP, so they are plain
 * JSON: times are ISO strings.
 */
import type { DomainEventType } from "../events/mod.ts";

/** A domain event as a plugin's handler receives it. */
export interface PluginEvent {
  /** Its position in the event log: increasing, the cursor a plugin resumes from. */
  id: number;
  type: DomainEventType;
  customerId: string | null;
  payload: Record<string, unknown>;
  /** When the change happened (ISO 8601). */
  occurredAt: string;
  /** When the log recorded it (ISO 8601). */
  recordedAt: string;
}

/**
 * How the hub delivers a plugin's events (the manifest's
 * `capabilities.delivery`). `durable`: once, by the one engine holding the
 * plugin's lease, from a stored cursor, with retries, dead letters and
 * replay. `every-engine`: live, in every engine, from where the log ended
 * when the engine started the plugin; a failed event is skipped. A live
 * view (a WebSocket feed) needs every engine to see every event and has no
 * use for the past; a side effect in another system needs exactly one engine
 * and no lost event.
 */
export const deliveryModes = ["durable", "every-engine"] as const;

/** One of deliveryModes. */
export type DeliveryMode = typeof deliveryModes[number];

/** A plugin's subscription: the hub keeps one cursor per subscriber name. */
export interface EventSubscriber {
  /** The plugin's name: the cursor's, dead letters' and breaker's key. */
  readonly name: string;
  /** The event types it handles (the manifest's `capabilities.subscriptions`). */
  readonly types: readonly DomainEventType[];
  /** How its events are delivered; `durable` when not given. */
  readonly delivery?: DeliveryMode;
  /**
   * Handles one event; resolves when done. Throwing (or not settling before
   * the hub's timeout, when `signal` aborts) is a failure the hub retries
   * (`durable`) or logs and skips (`every-engine`).
   */
  handle(event: PluginEvent, signal: AbortSignal): Promise<void>;
}
