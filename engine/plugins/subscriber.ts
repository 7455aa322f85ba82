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

/** A plugin's subscription: the hub keeps one cursor per subscriber name. */
export interface EventSubscriber {
  /** The plugin's name: the cursor's, dead letters' and breaker's key. */
  readonly name: string;
  /** The event types it handles (the manifest's `capabilities.subscriptions`). */
  readonly types: readonly DomainEventType[];
  /**
   * Handles one event; resolves when done. Throwing (or not settling before
   * the hub's timeout, when `signal` aborts) is a failure the hub retries.
   */
  handle(event: PluginEvent, signal: AbortSignal): Promise<void>;
}
