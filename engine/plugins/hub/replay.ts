/**
 * Replay: delivering a plugin's events again, from an event id or a time
 * (the cursor moves back; it never moves forward, so nothing not yet
 * delivered is skipped), or its dead letters. Each replay is audited, and
 * wakes the plugin's deliverer, wherever it runs, with a NOTIFY.
 */
import { z } from "zod";
import { appendAudit } from "../../audit/mod.ts";
import type { Db, Queryable } from "../../db/mod.ts";
import { EngineError } from "../../errors.ts";
import { queueDeadLetters } from "./dead_letters_sql.ts";
import { formatPosition, isAfter, type LogPosition } from "./state.ts";

/** Where a replay starts: the first event with this id or a later one, or recorded at or after this time. */
export type ReplayFrom = { eventId: number } | { time: Date };

/** Who replays, when, and why (the audit entry's). */
export interface ReplayChange {
  actor: string;
  now: Date;
  requestId?: string | null;
  reason?: string | null;
}

/** What a replay from a position did. */
export interface ReplayResult {
  plugin: string;
  /** The first event delivered again; null when no event is at or after `from`. */
  fromEventId: number | null;
  /** Events of the plugin's types it will receive from there (including any not delivered yet). */
  events: number;
}

const EVENT_ID = /^[1-9][0-9]{0,15}$/;
const isoTime = z.iso.datetime({ offset: true });

/** Reads `from` as an event id or an ISO 8601 time with a time zone; null when it is neither. */
export function parseReplayFrom(text: string): ReplayFrom | null {
  if (EVENT_ID.test(text) && Number.isSafeInteger(Number(text))) return { eventId: Number(text) };
  if (isoTime.safeParse(text).success) return { time: new Date(text) };
  return null;
}

/** Moves the plugin's cursor back to just before `from`; one audit entry. */
export async function replayEvents(
  db: Db,
  plugin: { name: string; types: readonly string[] },
  from: ReplayFrom,
  change: ReplayChange,
): Promise<ReplayResult> {
  if ("time" in from && from.time.getTime() > change.now.getTime()) {
    throw new EngineError(
      "VALIDATION_FAILED",
      `Cannot replay from ${from.time.toISOString()}: it is in the future; give a past time or an event id`,
      { issues: [{ path: "from", message: "must not be in the future" }] },
    );
  }
  return await db.transaction(async (tx) => {
    const [stored] = await tx.query<{ cursor_tx: string; cursor_event_id: number }>(
      `select cursor_tx::text as cursor_tx, cursor_event_id from event_hub_plugins
       where plugin = $1 for update`,
      [plugin.name],
    );
    if (!stored) {
      throw new EngineError(
        "PLUGIN_NOT_FOUND",
        `Cannot replay events to plugin "${plugin.name}": the event hub has not registered it`,
      );
    }
    const before = { txId: stored.cursor_tx, eventId: stored.cursor_event_id };
    const first = await firstEventFrom(tx, from);
    let cursor = before;
    if (first) {
      const justBefore = { txId: first.txId, eventId: first.eventId - 1 };
      if (isAfter(cursor, justBefore)) cursor = justBefore;
      await tx.query(
        `update event_hub_plugins set cursor_tx = $2::xid8, cursor_event_id = $3,
           generation = generation + 1, head_event_id = null, head_attempts = 0
         where plugin = $1`,
        [plugin.name, cursor.txId, cursor.eventId],
      );
    }
    const events = first ? await countEventsAfter(tx, cursor, plugin.types) : 0;
    await appendAudit(tx, {
      at: change.now,
      actor: change.actor,
      action: "plugin.events_replayed",
      subjectType: "plugin",
      subjectId: plugin.name,
      reason: change.reason ?? null,
      before: { cursor: formatPosition(before) },
      after: {
        from: "eventId" in from ? { eventId: from.eventId } : { time: from.time.toISOString() },
        fromEventId: first?.eventId ?? null,
        cursor: formatPosition(cursor),
        events,
      },
      requestId: change.requestId ?? null,
    });
    await tx.query("select pg_notify('event_log', '')");
    return { plugin: plugin.name, fromEventId: first?.eventId ?? null, events };
  });
}

/** Queues the plugin's dead letters not replayed yet for another delivery; one audit entry. */
export async function replayDeadLetters(
  db: Db,
  plugin: string,
  change: ReplayChange,
): Promise<{ plugin: string; deadLetters: number }> {
  return await db.transaction(async (tx) => {
    const deadLetters = await queueDeadLetters(tx, plugin, change);
    await appendAudit(tx, {
      at: change.now,
      actor: change.actor,
      action: "plugin.dead_letters_replayed",
      subjectType: "plugin",
      subjectId: plugin,
      reason: change.reason ?? null,
      after: { deadLetters },
      requestId: change.requestId ?? null,
    });
    await tx.query("select pg_notify('event_log', '')");
    return { plugin, deadLetters };
  });
}

/**
 * The first event, in log order, of those with id ≥ `from.eventId` or
 * recorded at or after `from.time`; null when there is none. An id past the
 * newest event is a mistake worth saying, not an empty replay.
 */
async function firstEventFrom(
  tx: Queryable,
  from: ReplayFrom,
): Promise<LogPosition | null> {
  // Materialized: the id or time range is found by its own index first
  // (primary key, BRIN), rather than by walking the log in position order.
  const [row] = await tx.query<{ tx_id: string; id: number }>(
    `with candidates as materialized (
       select tx_id, id from event_log
       where ${"eventId" in from ? "id >= $1" : "recorded_at >= $1"}
     )
     select tx_id::text as tx_id, id from candidates order by tx_id, id limit 1`,
    ["eventId" in from ? from.eventId : from.time],
  );
  if (row) return { txId: row.tx_id, eventId: row.id };
  if ("eventId" in from) {
    const [newest] = await tx.query<{ id: number }>(
      "select id from event_log order by id desc limit 1",
    );
    const holds = newest ? `the newest event is ${newest.id}` : "the event log is empty";
    throw new EngineError(
      "VALIDATION_FAILED",
      `Cannot replay from event ${from.eventId}: no event has that id or a later one (${holds})`,
      { issues: [{ path: "from", message: `must be at most ${newest?.id ?? 0}` }] },
    );
  }
  return null;
}

async function countEventsAfter(
  tx: Queryable,
  cursor: LogPosition,
  types: readonly string[],
): Promise<number> {
  const [row] = await tx.query<{ events: number }>(
    `select count(*)::int as events from event_log
     where (tx_id, id) > ($1::xid8, $2::bigint) and type = any($3::text[])`,
    [cursor.txId, cursor.eventId, types],
  );
  return row?.events ?? 0;
}
