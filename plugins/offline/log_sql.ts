/**
 * Reading the domain event log for a feed. Event ids are taken at insert,
 * not at commit: a transaction that commits later can hold a lower id than
 * events already visible, so "ids after the last one" would skip it for good.
 * Only events whose inserting transaction is finished for everyone (its xid
 * below the snapshot's xmin, the horizon) are read, in (tx_id, id) order:
 * nothing that commits later can sort before them. The event hub reads the
 * log by the same rule (engine/plugins/hub/read_sql.ts); its reader works on
 * its own stored cursors and is not exported, so this is the feed's own.
 */
import { PREPARED, type Queryable } from "../../engine/db/mod.ts";
import type { DomainEventType } from "../../engine/events/mod.ts";

/** A log position: the inserting transaction (xid8 as text) and the event id. */
export interface LogPosition {
  txId: string;
  eventId: number;
}

/** A domain event as the feed sends it (plain JSON, ISO times). */
export interface FeedEvent {
  id: number;
  type: DomainEventType;
  customerId: string;
  payload: Record<string, unknown>;
  occurredAt: string;
  recordedAt: string;
}

/** What one read found. */
export interface LogRead {
  /** Up to `limit` events after the position, in log order, with their positions. */
  events: Array<{ position: LogPosition; event: FeedEvent }>;
  /** Whether more finished events follow. */
  more: boolean;
  /** Every event before (horizon, 0) is finished: a cursor may move up to it. */
  horizon: string;
}

interface Row {
  horizon: string;
  id: number | null;
  type: DomainEventType;
  customer_id: string;
  payload: Record<string, unknown>;
  occurred_at: Date;
  recorded_at: Date;
  tx_id: string;
}

/**
 * The finished events about `customers` ("all": every customer) after
 * `after`. Events about no customer (`rule.disabled`, `ml.degraded`) are not
 * in a feed of customers.
 */
export async function readLog(
  db: Queryable,
  options: { after: LogPosition; customers: readonly string[] | "all"; limit: number },
): Promise<LogRead> {
  const all = options.customers === "all";
  // One statement, so the events and the horizon share a snapshot.
  const rows = await db.query<Row>(
    `select h.horizon::text as horizon, e.id, e.type, e.customer_id, e.payload, e.occurred_at,
       e.recorded_at, e.tx_id::text as tx_id
     from (select pg_snapshot_xmin(pg_current_snapshot()) as horizon) h
     left join lateral (
       select * from event_log l
       where (l.tx_id, l.id) > ($1::xid8, $2::bigint) and l.tx_id < h.horizon
         and l.customer_id is not null and ($3::boolean or l.customer_id = any($4::text[]))
       order by l.tx_id, l.id limit $5
     ) e on true
     order by e.tx_id, e.id`,
    [
      options.after.txId,
      options.after.eventId,
      all,
      all ? [] : options.customers,
      options.limit + 1,
    ],
    PREPARED,
  );
  const first = rows[0]!;
  const found = rows.filter((r) => r.id !== null);
  return {
    events: found.slice(0, options.limit).map((r) => ({
      position: { txId: r.tx_id, eventId: r.id! },
      event: {
        id: r.id!,
        type: r.type,
        customerId: r.customer_id,
        payload: r.payload,
        occurredAt: r.occurred_at.toISOString(),
        recordedAt: r.recorded_at.toISOString(),
      },
    })),
    more: found.length > options.limit,
    horizon: first.horizon,
  };
}

/**
 * The log's horizon now (a snapshot begun now sees every event before
 * (horizon, 0)) and the next transaction id the database will give.
 */
export async function logBounds(db: Queryable): Promise<{ horizon: string; nextTxId: string }> {
  const [row] = await db.query<{ horizon: string; next_tx_id: string }>(
    `select pg_snapshot_xmin(s.snap)::text as horizon, pg_snapshot_xmax(s.snap)::text as next_tx_id
     from (select pg_current_snapshot() as snap) s`,
    [],
    PREPARED,
  );
  return { horizon: row!.horizon, nextTxId: row!.next_tx_id };
}

/**
 * Events already committed but held back by an older transaction still open,
 * and how long the oldest of them has waited (database time), for health.
 */
export async function heldBack(db: Queryable): Promise<{ events: number; waitedSeconds: number }> {
  const [row] = await db.query<{ events: number; waited_seconds: number | null }>(
    `select count(*)::int as events,
       extract(epoch from clock_timestamp() - min(recorded_at))::float8 as waited_seconds
     from event_log where tx_id >= pg_snapshot_xmin(pg_current_snapshot())`,
  );
  return { events: row?.events ?? 0, waitedSeconds: row?.waited_seconds ?? 0 };
}

/** Whether `a` comes after `b` in log order. */
export function isAfter(a: LogPosition, b: LogPosition): boolean {
  const ta = BigInt(a.txId);
  const tb = BigInt(b.txId);
  return ta > tb || (ta === tb && a.eventId > b.eventId);
}
