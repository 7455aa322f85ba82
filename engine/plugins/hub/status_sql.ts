/**
 * Each plugin's delivery as operators see it: for durable plugins lag,
 * failures, dead letters, breaker and the engine holding the lease; for
 * every-engine plugins this engine's place in the log and its lag.
 */
import type { Queryable } from "../../db/mod.ts";
import type { BreakerState } from "./breaker.ts";
import type { LiveDeliveryState } from "./live_deliverer.ts";

/** One plugin's delivery status, by its delivery mode. */
export type PluginDeliveryStatus = DurableDeliveryStatus | LiveDeliveryStatus;

/** A durable plugin's delivery status: stored, the same in every engine. */
export interface DurableDeliveryStatus {
  plugin: string;
  types: string[];
  delivery: "durable";
  /** The engine delivering to it, while its lease lasts; null when none does. */
  holder: string | null;
  breaker: BreakerState;
  breakerOpenedAt: string | null;
  consecutiveFailures: number;
  lastError: string | null;
  lastErrorAt: string | null;
  lastDeliveredAt: string | null;
  lastDeliveredEventId: number | null;
  /** Committed events of its types after its cursor, counted up to WAITING_COUNTED. */
  waiting: number;
  /** When the first of them was recorded; null when none waits. */
  oldestWaitingAt: string | null;
  /** Dead letters queued for another delivery. */
  redeliveries: number;
  /** Dead letters not replayed yet, and when the newest of them failed. */
  deadLetters: number;
  lastDeadLetterAt: string | null;
  /** Totals since the plugin was first registered. */
  delivered: number;
  failed: number;
  deadLettered: number;
}

/** Waiting events are counted up to this many: the count stays cheap however far a plugin lags. */
export const WAITING_COUNTED = 100_000;

/**
 * An every-engine plugin's delivery status in this engine: each engine has
 * its own place in the log, kept in memory, so there is no lease, cursor,
 * breaker or dead letter to show.
 */
export interface LiveDeliveryStatus {
  plugin: string;
  types: string[];
  delivery: "every-engine";
  /** The engine this status is of. */
  engine: string;
  /** When its deliverer here took its place at the end of the log; null until it has. */
  since: string | null;
  /** Committed events of its types after its place here, counted up to WAITING_COUNTED. */
  waiting: number;
  oldestWaitingAt: string | null;
  lastDeliveredAt: string | null;
  lastDeliveredEventId: number | null;
  lastError: string | null;
  lastErrorAt: string | null;
  /** Since `since`: events handled, and calls that failed (each event skipped). */
  delivered: number;
  failed: number;
  /** Failed calls since the last that did not: more than 0 while the plugin fails. */
  consecutiveFailures: number;
}

/**
 * The events after a reader's position, over a relation `p` with
 * `cursor_tx`, `cursor_event_id` and `types`: `w.waiting` (up to `limit`)
 * and `w.oldest_waiting_at`.
 */
function waitingSql(limit: string): string {
  return `cross join lateral (
       select count(*)::int as waiting, min(recorded_at) as oldest_waiting_at from (
         select recorded_at from event_log e
         where (e.tx_id, e.id) > (p.cursor_tx, p.cursor_event_id) and e.type = any(p.types)
         order by e.tx_id, e.id limit ${limit}
       ) waiting
     ) w`;
}

/** The status of each of `plugins` that is registered, by name. */
export async function pluginDeliveryStatus(
  db: Queryable,
  plugins: readonly string[],
  now: Date,
): Promise<DurableDeliveryStatus[]> {
  const rows = await db.query<{
    plugin: string;
    types: string[];
    holder: string | null;
    breaker: BreakerState;
    breaker_opened_at: Date | null;
    consecutive_failures: number;
    last_error: string | null;
    last_error_at: Date | null;
    last_delivered_at: Date | null;
    last_delivered_event_id: number | null;
    waiting: number;
    oldest_waiting_at: Date | null;
    redeliveries: number;
    dead_letters: number;
    last_dead_letter_at: Date | null;
    delivered_count: number;
    failed_count: number;
    dead_lettered_count: number;
  }>(
    `select p.plugin, p.types, case when p.lease_until >= $2 then p.holder end as holder,
       p.breaker, p.breaker_opened_at, p.consecutive_failures, p.last_error, p.last_error_at,
       p.last_delivered_at, p.last_delivered_event_id, w.waiting, w.oldest_waiting_at,
       (select count(*)::int from event_hub_redeliveries r where r.plugin = p.plugin) as redeliveries,
       d.dead_letters, d.last_dead_letter_at, p.delivered_count, p.failed_count, p.dead_lettered_count
     from event_hub_plugins p
     ${waitingSql("$3")}
     cross join lateral (
       select count(*)::int as dead_letters, max(failed_at) as last_dead_letter_at
       from event_hub_dead_letters l where l.plugin = p.plugin and l.replayed_at is null
     ) d
     where p.plugin = any($1::text[])
     order by p.plugin`,
    [plugins, now, WAITING_COUNTED],
  );
  return rows.map((r) => ({
    plugin: r.plugin,
    types: r.types,
    delivery: "durable",
    holder: r.holder,
    breaker: r.breaker,
    breakerOpenedAt: r.breaker_opened_at?.toISOString() ?? null,
    consecutiveFailures: r.consecutive_failures,
    lastError: r.last_error,
    lastErrorAt: r.last_error_at?.toISOString() ?? null,
    lastDeliveredAt: r.last_delivered_at?.toISOString() ?? null,
    lastDeliveredEventId: r.last_delivered_event_id,
    waiting: r.waiting,
    oldestWaitingAt: r.oldest_waiting_at?.toISOString() ?? null,
    redeliveries: r.redeliveries,
    deadLetters: r.dead_letters,
    lastDeadLetterAt: r.last_dead_letter_at?.toISOString() ?? null,
    delivered: r.delivered_count,
    failed: r.failed_count,
    deadLettered: r.dead_lettered_count,
  }));
}

/** An every-engine plugin in this engine, for liveDeliveryStatus. */
export interface LiveSubscription {
  plugin: string;
  types: readonly string[];
  state: LiveDeliveryState;
}

/** The status of every-engine plugins in `engine`, with their lag from their place in the log. */
export async function liveDeliveryStatus(
  db: Queryable,
  engine: string,
  plugins: readonly LiveSubscription[],
): Promise<LiveDeliveryStatus[]> {
  // A plugin without a place yet waits for nothing: it starts at the end of the log.
  const placed = plugins.flatMap(({ plugin, types, state }) =>
    state.position === null ? [] : [{
      plugin,
      types,
      cursor_tx: state.position.txId,
      cursor_event_id: state.position.eventId,
    }]
  );
  const rows = placed.length === 0 ? [] : await db.query<{
    plugin: string;
    waiting: number;
    oldest_waiting_at: Date | null;
  }>(
    `select p.plugin, w.waiting, w.oldest_waiting_at
     from json_to_recordset($1::json) as r(plugin text, types json, cursor_tx text, cursor_event_id bigint)
     cross join lateral (
       select r.plugin, r.cursor_tx::xid8 as cursor_tx, r.cursor_event_id,
         array(select json_array_elements_text(r.types)) as types
     ) p
     ${waitingSql("$2")}`,
    [placed, WAITING_COUNTED],
  );
  const lag = new Map(rows.map((r) => [r.plugin, r]));
  return plugins.map(({ plugin, types, state }) => ({
    plugin,
    types: [...types],
    delivery: "every-engine",
    engine,
    since: state.since?.toISOString() ?? null,
    waiting: lag.get(plugin)?.waiting ?? 0,
    oldestWaitingAt: lag.get(plugin)?.oldest_waiting_at?.toISOString() ?? null,
    lastDeliveredAt: state.lastDelivered?.at.toISOString() ?? null,
    lastDeliveredEventId: state.lastDelivered?.eventId ?? null,
    lastError: state.lastError,
    lastErrorAt: state.lastErrorAt?.toISOString() ?? null,
    delivered: state.delivered,
    failed: state.failed,
    consecutiveFailures: state.consecutiveFailures,
  }));
}
