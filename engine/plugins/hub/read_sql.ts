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

/** What one read found. */
export interface Batch {
  /** The stored generation and cursor: a replay may have moved it. */
  generation: number;
  cursor: LogPosition;
  /** Every event below this position is finished: the cursor may move up to it. */
  horizon: LogPosition;
  events: LogEvent[];
  /** Whether dead letters wait to be delivered again. */
  redeliveries: boolean;
  /**
   * Whether committed events of its types wait above the horizon, behind a
   * transaction still open. Its end may come without a NOTIFY (it need not
   * append events), so the reader looks again soon.
   */
  heldBack: boolean;
}

interface BatchRow extends Partial<EventRow> {
  generation: number;
  cursor_tx: string;
  cursor_event_id: number;
  horizon: string;
  redeliveries: boolean;
  held_back: boolean;
}

/**
 * The next events of the plugin's types after its stored cursor, in log
 * order; null when `holder` does not hold the plugin (any more).
 */
export async function readBatch(
  db: Queryable,
  options: { plugin: string; holder: string; limit: number },
): Promise<Batch | null> {
  // One statement, so the events, the horizon and the cursor share a snapshot.
  const rows = await db.query<BatchRow>(
    `select s.generation, s.cursor_tx::text as cursor_tx, s.cursor_event_id, h.horizon::text as horizon,
       exists (select 1 from event_hub_redeliveries r where r.plugin = s.plugin) as redeliveries,
       exists (
         select 1 from event_log b
         where (b.tx_id, b.id) > (s.cursor_tx, s.cursor_event_id) and b.tx_id >= h.horizon
           and b.type = any(s.types)
       ) as held_back,
       ${EVENT_COLUMNS}
     from event_hub_plugins s
     cross join (select pg_snapshot_xmin(pg_current_snapshot()) as horizon) h
     left join lateral (
       select * from event_log l
       where (l.tx_id, l.id) > (s.cursor_tx, s.cursor_event_id) and l.tx_id < h.horizon
         and l.type = any(s.types)
       order by l.tx_id, l.id limit $3
     ) e on true
     where s.plugin = $1 and s.holder = $2
     order by e.tx_id, e.id`,
    [options.plugin, options.holder, options.limit],
    PREPARED,
  );
  const first = rows[0];
  if (!first) return null;
  return {
    generation: first.generation,
    cursor: { txId: first.cursor_tx, eventId: first.cursor_event_id },
    horizon: { txId: first.horizon, eventId: 0 },
    events: rows.filter((r) => typeof r.id === "number").map((r) => logEventOf(r as EventRow)),
    redeliveries: first.redeliveries,
    heldBack: first.held_back,
  };
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
