/**
 * Reading the log for a plugin. Ids are taken at insert, not at commit: a
 * transaction that commits later can hold a lower id than events already
 * visible, so reading "ids after the last one" would skip it for good. The
 * reader takes only events whose transaction is finished for everyone (its
 * xid below the snapshot's xmin), in (tx_id, id) order, and the cursor is
 * that pair: nothing later can ever sort before it.
 */
import { PREPARED, type Queryable } from "../../db/mod.ts";
import {
  EVENT_COLUMNS,
  type EventRow,
  type LogEvent,
  logEventOf,
  type LogPosition,
} from "./state.ts";

/** What one read of the log after a position found. */
export interface LogWindow {
  /** Every event below this position is finished: the cursor may move up to it. */
  horizon: LogPosition;
  /** The next events of the reader's types after its position, in log order. */
  events: LogEvent[];
  /**
   * Whether committed events of its types wait above the horizon, behind a
   * transaction still open. Its end may come without a NOTIFY (it need not
   * append events), so the reader looks again soon.
   */
  heldBack: boolean;
}

/** What a durable plugin's read found. */
export interface Batch extends LogWindow {
  /** The stored generation and cursor: a replay may have moved it. */
  generation: number;
  cursor: LogPosition;
  /** Whether dead letters wait to be delivered again. */
  redeliveries: boolean;
}

interface WindowRow extends Partial<EventRow> {
  horizon: string;
  held_back: boolean;
}

interface BatchRow extends WindowRow {
  generation: number;
  cursor_tx: string;
  cursor_event_id: number;
  redeliveries: boolean;
}

/**
 * The never-skip read, over a relation `s` with the reader's position
 * (`cursor_tx`, `cursor_event_id`) and `types`: a row per event (or one
 * without an event when none is ready) with the horizon and `held_back`.
 * Durable plugins read it over their stored row, live ones over their
 * in-memory position; one statement either way, so the events and the
 * horizon share a snapshot.
 */
function logWindowSql(limit: string): { columns: string; joins: string } {
  return {
    columns: `h.horizon::text as horizon,
       exists (
         select 1 from event_log b
         where (b.tx_id, b.id) > (s.cursor_tx, s.cursor_event_id) and b.tx_id >= h.horizon
           and b.type = any(s.types)
       ) as held_back,
       ${EVENT_COLUMNS}`,
    joins: `cross join (select pg_snapshot_xmin(pg_current_snapshot()) as horizon) h
     left join lateral (
       select * from event_log l
       where (l.tx_id, l.id) > (s.cursor_tx, s.cursor_event_id) and l.tx_id < h.horizon
         and l.type = any(s.types)
       order by l.tx_id, l.id limit ${limit}
     ) e on true`,
  };
}

function windowOf(rows: readonly WindowRow[], first: WindowRow): LogWindow {
  return {
    horizon: { txId: first.horizon, eventId: 0 },
    events: rows.filter((r) => typeof r.id === "number").map((r) => logEventOf(r as EventRow)),
    heldBack: first.held_back,
  };
}

const durableWindow = logWindowSql("$3");

/**
 * The next events of the plugin's types after its stored cursor, in log
 * order; null when `holder` does not hold the plugin (any more).
 */
export async function readBatch(
  db: Queryable,
  options: { plugin: string; holder: string; limit: number },
): Promise<Batch | null> {
  const rows = await db.query<BatchRow>(
    `select s.generation, s.cursor_tx::text as cursor_tx, s.cursor_event_id,
       exists (select 1 from event_hub_redeliveries r where r.plugin = s.plugin) as redeliveries,
       ${durableWindow.columns}
     from event_hub_plugins s
     ${durableWindow.joins}
     where s.plugin = $1 and s.holder = $2
     order by e.tx_id, e.id`,
    [options.plugin, options.holder, options.limit],
    PREPARED,
  );
  const first = rows[0];
  if (!first) return null;
  return {
    ...windowOf(rows, first),
    generation: first.generation,
    cursor: { txId: first.cursor_tx, eventId: first.cursor_event_id },
    redeliveries: first.redeliveries,
  };
}

const liveWindow = logWindowSql("$4");

/** The next events of `types` after `after`, in log order: a live subscriber's read. */
export async function readAfter(
  db: Queryable,
  options: { after: LogPosition; types: readonly string[]; limit: number },
): Promise<LogWindow> {
  const rows = await db.query<WindowRow>(
    `select ${liveWindow.columns}
     from (select $1::text::xid8 as cursor_tx, $2::bigint as cursor_event_id, $3::text[] as types) s
     ${liveWindow.joins}
     order by e.tx_id, e.id`,
    [options.after.txId, options.after.eventId, options.types, options.limit],
    PREPARED,
  );
  // The derived row always exists: one row at least.
  return windowOf(rows, rows[0]!);
}

/** Where the log ends now, as a new plugin's cursor starts: the oldest transaction still open. */
export async function logEnd(db: Queryable): Promise<LogPosition> {
  const [row] = await db.query<{ horizon: string }>(
    "select pg_snapshot_xmin(pg_current_snapshot())::text as horizon",
  );
  return { txId: row!.horizon, eventId: 0 };
}

/** A dead letter queued for another delivery. */
export interface Redelivery extends LogEvent {
  deadLetterId: number;
}

/**
 * Dead letters queued for the plugin, oldest event first. Queue entries
 * whose event is gone from the log (retention) are dropped: nothing is left
 * to deliver.
 */
export async function readRedeliveries(
  db: Queryable,
  options: { plugin: string; limit: number },
): Promise<Redelivery[]> {
  await db.query(
    `delete from event_hub_redeliveries r where r.plugin = $1
       and not exists (select 1 from event_log e where e.id = r.event_id)`,
    [options.plugin],
  );
  const rows = await db.query<EventRow & { dead_letter_id: number }>(
    `select r.dead_letter_id, ${EVENT_COLUMNS}
     from event_hub_redeliveries r join event_log e on e.id = r.event_id
     where r.plugin = $1 order by r.event_id limit $2`,
    [options.plugin, options.limit],
  );
  return rows.map((row) => ({ ...logEventOf(row), deadLetterId: row.dead_letter_id }));
}
