/** `event_hub_plugins`: registering plugins, the delivery lease, and writing the holder's state. */
import { PREPARED, type Queryable } from "../../db/mod.ts";
import {
  type DeliveryCounts,
  type DeliveryState,
  STATE_COLUMNS,
  stateOf,
  type StateRow,
} from "./state.ts";

/** Where a plugin seen for the first time starts reading the log. */
export type StartAt = "end" | "beginning";

/**
 * Records each plugin with its event types (updated on every start). A new
 * plugin's cursor is the end of the log (the oldest open transaction), or
 * its beginning: events from before it was installed come by replay.
 */
export async function registerPlugins(
  db: Queryable,
  plugins: ReadonlyArray<{ name: string; types: readonly string[] }>,
  startAt: StartAt,
): Promise<void> {
  if (plugins.length === 0) return;
  await db.query(
    `insert into event_hub_plugins (plugin, types, cursor_tx)
     select p.plugin, array(select json_array_elements_text(p.types)),
       case when $2 = 'beginning' then '0'::xid8 else pg_snapshot_xmin(pg_current_snapshot()) end
     from json_to_recordset($1::json) as p(plugin text, types json)
     on conflict (plugin) do update set types = excluded.types`,
    [plugins.map((p) => ({ plugin: p.name, types: p.types })), startAt],
  );
}

/** Who asks for a lease, when, and for how long. */
export interface LeaseRequest {
  plugin: string;
  holder: string;
  now: Date;
  leaseSeconds: number;
}

/**
 * Makes `holder` the plugin's deliverer if nobody is, it already is, or the
 * lease ran out (its engine died); returns the stored state, or null when
 * another engine delivers.
 */
export async function acquireLease(
  db: Queryable,
  lease: LeaseRequest,
): Promise<DeliveryState | null> {
  const [row] = await db.query<StateRow>(
    `update event_hub_plugins set holder = $2, lease_until = $3::timestamptz + $4 * interval '1 second'
     where plugin = $1 and (holder is null or holder = $2 or lease_until < $3)
     returning ${STATE_COLUMNS}`,
    [lease.plugin, lease.holder, lease.now, lease.leaseSeconds],
  );
  return row ? stateOf(row) : null;
}

/** Extends the lease; false when `holder` no longer holds it. */
export async function renewLease(db: Queryable, lease: LeaseRequest): Promise<boolean> {
  const rows = await db.query(
    `update event_hub_plugins set lease_until = $3::timestamptz + $4 * interval '1 second'
     where plugin = $1 and holder = $2 returning 1`,
    [lease.plugin, lease.holder, lease.now, lease.leaseSeconds],
    PREPARED,
  );
  return rows.length > 0;
}

/** Gives the plugin up at once, so another engine need not wait for the lease to run out. */
export async function releaseLease(
  db: Queryable,
  lease: { plugin: string; holder: string },
): Promise<void> {
  await db.query(
    "update event_hub_plugins set holder = null, lease_until = null where plugin = $1 and holder = $2",
    [lease.plugin, lease.holder],
  );
}

/**
 * Writes the holder's state and adds `counts` to the totals, renewing the
 * lease. False when the write was refused: another engine holds the plugin,
 * or a replay moved the cursor (a newer generation); the holder then reads
 * the stored state again.
 */
export async function saveDeliveryState(
  db: Queryable,
  lease: LeaseRequest,
  state: DeliveryState,
  counts: DeliveryCounts,
): Promise<boolean> {
  const rows = await db.query(
    `update event_hub_plugins set
       cursor_tx = $4::xid8, cursor_event_id = $5, breaker = $6, breaker_opened_at = $7,
       consecutive_failures = $8, head_event_id = $9, head_attempts = $10,
       last_error = $11, last_error_at = $12, last_delivered_at = $13, last_delivered_event_id = $14,
       delivered_count = delivered_count + $15, failed_count = failed_count + $16,
       dead_lettered_count = dead_lettered_count + $17,
       lease_until = $18::timestamptz + $19 * interval '1 second'
     where plugin = $1 and holder = $2 and generation = $3 returning 1`,
    [
      lease.plugin,
      lease.holder,
      state.generation,
      state.cursor.txId,
      state.cursor.eventId,
      state.breaker,
      state.breakerOpenedAt,
      state.consecutiveFailures,
      state.head?.eventId ?? null,
      state.head?.attempts ?? 0,
      state.lastError,
      state.lastErrorAt,
      state.lastDelivered?.at ?? null,
      state.lastDelivered?.eventId ?? null,
      counts.delivered,
      counts.failed,
      counts.deadLettered,
      lease.now,
      lease.leaseSeconds,
    ],
    PREPARED,
  );
  return rows.length > 0;
}
