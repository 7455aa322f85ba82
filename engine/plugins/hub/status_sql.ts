/** Each plugin's delivery as operators see it: lag, failures, dead letters, breaker. */
import type { Queryable } from "../../db/mod.ts";
import type { BreakerState } from "./breaker.ts";

/** One plugin's delivery status. */
export interface PluginDeliveryStatus {
  plugin: string;
  types: string[];
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

/** The status of each of `plugins` that is registered, by name. */
export async function pluginDeliveryStatus(
  db: Queryable,
  plugins: readonly string[],
  now: Date,
): Promise<PluginDeliveryStatus[]> {
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
     cross join lateral (
       select count(*)::int as waiting, min(recorded_at) as oldest_waiting_at from (
         select recorded_at from event_log e
         where (e.tx_id, e.id) > (p.cursor_tx, p.cursor_event_id) and e.type = any(p.types)
         order by e.tx_id, e.id limit $3
       ) waiting
     ) w
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
