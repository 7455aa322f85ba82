/**
 * A plugin's delivery state as the deliverer holding it keeps it in memory
 * and writes it back (`event_hub_plugins`), and log positions.
 */
import type { DomainEventType } from "../../events/mod.ts";
import type { PluginEvent } from "../subscriber.ts";
import type { BreakerState } from "./breaker.ts";

/**
 * A place in the event log: the inserting transaction (xid8, as text: it can
 * exceed 2^53) and the event id. The log is read in this order.
 */
export interface LogPosition {
  txId: string;
  eventId: number;
}

/** The start of the log: before every event. */
export const LOG_START: LogPosition = { txId: "0", eventId: 0 };

/** Whether `a` comes after `b` in log order. */
export function isAfter(a: LogPosition, b: LogPosition): boolean {
  const ta = BigInt(a.txId);
  const tb = BigInt(b.txId);
  return ta > tb || (ta === tb && a.eventId > b.eventId);
}

/** A position as people and the audit log see it: `txid:eventid`. */
export function formatPosition(position: LogPosition): string {
  return `${position.txId}:${position.eventId}`;
}

/** What the holder of a plugin knows about its delivery. */
export interface DeliveryState {
  /** Changed by a replay; a write with an older one is refused. */
  generation: number;
  cursor: LogPosition;
  breaker: BreakerState;
  breakerOpenedAt: Date | null;
  consecutiveFailures: number;
  /** The event being retried, with its attempts so far. */
  head: { eventId: number; attempts: number } | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  lastDelivered: { eventId: number; at: Date } | null;
}

/** Counts to add to the stored totals at the next write. */
export interface DeliveryCounts {
  delivered: number;
  failed: number;
  deadLettered: number;
}

/** The columns of `event_hub_plugins` a DeliveryState comes from. */
export const STATE_COLUMNS = `generation, cursor_tx::text as cursor_tx, cursor_event_id, breaker,
  breaker_opened_at, consecutive_failures, head_event_id, head_attempts, last_error, last_error_at,
  last_delivered_at, last_delivered_event_id`;

/** A row of STATE_COLUMNS. */
export interface StateRow {
  generation: number;
  cursor_tx: string;
  cursor_event_id: number;
  breaker: BreakerState;
  breaker_opened_at: Date | null;
  consecutive_failures: number;
  head_event_id: number | null;
  head_attempts: number;
  last_error: string | null;
  last_error_at: Date | null;
  last_delivered_at: Date | null;
  last_delivered_event_id: number | null;
}

/** The state a row holds. */
export function stateOf(row: StateRow): DeliveryState {
  return {
    generation: row.generation,
    cursor: { txId: row.cursor_tx, eventId: row.cursor_event_id },
    breaker: row.breaker,
    breakerOpenedAt: row.breaker_opened_at,
    consecutiveFailures: row.consecutive_failures,
    head: row.head_event_id === null
      ? null
      : { eventId: row.head_event_id, attempts: row.head_attempts },
    lastError: row.last_error,
    lastErrorAt: row.last_error_at,
    lastDelivered: row.last_delivered_at === null || row.last_delivered_event_id === null
      ? null
      : { eventId: row.last_delivered_event_id, at: row.last_delivered_at },
  };
}

/** An event read for delivery, with its place in the log. */
export interface LogEvent {
  position: LogPosition;
  event: PluginEvent;
}

/** The event_log columns a LogEvent comes from. */
export const EVENT_COLUMNS =
  "e.id, e.type, e.customer_id, e.payload, e.occurred_at, e.recorded_at, e.tx_id::text as tx_id";

/** A row of EVENT_COLUMNS. */
export interface EventRow {
  id: number;
  type: DomainEventType;
  customer_id: string | null;
  payload: Record<string, unknown>;
  occurred_at: Date;
  recorded_at: Date;
  tx_id: string;
}

/** The event a row holds, as plugins receive it (plain JSON, ISO times). */
export function logEventOf(row: EventRow): LogEvent {
  return {
    position: { txId: row.tx_id, eventId: row.id },
    event: {
      id: row.id,
      type: row.type,
      customerId: row.customer_id,
      payload: row.payload,
      occurredAt: row.occurred_at.toISOString(),
      recordedAt: row.recorded_at.toISOString(),
    },
  };
}
