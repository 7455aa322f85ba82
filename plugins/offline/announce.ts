/**
 * Announcing new changes to a push service (OFFLINE_SYNC_ENDPOINT), so
 * clients that are asleep or offline learn to sync without polling: for each
 * domain event about a customer, one small POST naming the customer and the
 * event, never its payload (the client reads that from GET /changes, with
 * its token). The event hub delivers each event at least once, in log order,
 * and retries a failed announcement; a retriable failure is thrown as such.
 */
import type { DomainEventType } from "../../engine/events/mod.ts";
import {
  type PluginEventHandler,
  type PluginHandlerEvent,
  postJson,
} from "../../engine/plugins/mod.ts";
import type { OfflineSettings } from "./settings.ts";

/** The body of one announcement. */
export interface Announcement {
  /** The customer whose feed has something new. */
  customerId: string;
  /** The event's id: the same on every retry, so the push service can drop a repeat. */
  eventId: number;
  type: DomainEventType;
  occurredAt: string;
}

/** The event types announced: those about a customer (the manifest's subscriptions). */
export const announcedTypes = [
  "customer.updated",
  "milestone.achieved",
  "health.changed",
  "churn.predicted",
  "rule.fired",
  "intervention.planned",
  "intervention.sent",
  "intervention.failed",
] as const satisfies readonly DomainEventType[];

/** A handler per announced type; each does nothing when OFFLINE_SYNC_ENDPOINT is unset. */
export function announcers(
  settings: OfflineSettings,
): Record<typeof announcedTypes[number], PluginEventHandler> {
  const announce = async (event: PluginHandlerEvent) => {
    if (settings.announceUrl === null || event.customerId === null) return;
    const body: Announcement = {
      customerId: event.customerId,
      eventId: event.id,
      type: event.type,
      occurredAt: event.occurredAt,
    };
    await postJson(settings.announceUrl, JSON.stringify(body), {
      receiver: "the offline push service (OFFLINE_SYNC_ENDPOINT)",
      headers: { "Idempotency-Key": `offline-event-${event.id}` },
      signal: event.signal,
      timeoutMs: settings.announceTimeoutMs,
    });
  };
  return Object.fromEntries(announcedTypes.map((type) => [type, announce])) as Record<
    typeof announcedTypes[number],
    PluginEventHandler
  >;
}
