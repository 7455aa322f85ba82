/**
 * Ingestion under load writes into the benchmark population that
 * bench/health_scoring.ts measures: usage events, milestones they complete,
 * `milestone.achieved` log entries. A run records what it needs to take all
 * of that out again (its event id prefix, the pending milestones before it,
 * the last event log id), and takes it out when it ends — or, after an
 * interrupted run, when the next one starts.
 */
import type { Db } from "../../engine/db/mod.ts";

/** One ingest run: its events' id prefix and the earliest time they carry. */
export interface IngestRun {
  prefix: string;
  since: Date;
}

const RUN_TABLE = `create table if not exists bench_api_ingest_run (
  prefix text not null,
  since timestamptz not null,
  event_log_id bigint not null
)`;
// Only pending milestones can change: ingestion never touches an achieved one.
const SNAPSHOT_TABLE = "bench_api_pending_milestones";

/** Takes out what earlier interrupted runs left, then records the start of `run`. */
export async function beginIngestRun(db: Db, run: IngestRun): Promise<void> {
  await undoIngestRuns(db);
  await db.transaction(async (tx) => {
    await tx.exec(
      `create table ${SNAPSHOT_TABLE} as
       select customer_id, milestone_key, user_id, achieved, achieved_at, progress
       from success_milestones where not achieved`,
    );
    await tx.query(
      `insert into bench_api_ingest_run (prefix, since, event_log_id)
       select $1, $2, coalesce(max(id), 0) from event_log`,
      [run.prefix, run.since],
    );
  });
}

/** Events of `run` that were stored. */
export async function countStoredEvents(db: Db, run: IngestRun): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    "select count(*) as n from usage_events where occurred_at >= $1 and event_id like $2",
    [run.since, `${run.prefix}-%`],
  );
  return row?.n ?? 0;
}

/** Removes the events of every recorded run and puts milestones and the event log back; returns the events removed. */
export async function undoIngestRuns(db: Db): Promise<number> {
  await db.exec(RUN_TABLE);
  const removed = await removeRuns(db);
  if (removed > 0) {
    // The deleted rows stay as dead tuples until a vacuum, and autovacuum may be off (it is
    // on our machines): unvacuumed, each run left the next a bigger table and slower indexes.
    await db.exec(
      "vacuum (analyze) usage_events, usage_event_ids, success_milestones, event_log",
    );
  }
  return removed;
}

async function removeRuns(db: Db): Promise<number> {
  return await db.transaction(async (tx) => {
    const runs = await tx.query<{ prefix: string; since: Date; event_log_id: number }>(
      "select prefix, since, event_log_id from bench_api_ingest_run",
    );
    let removed = 0;
    for (const run of runs) {
      const pattern = `${run.prefix}-%`;
      const [deleted] = await tx.query<{ n: number }>(
        `with gone as (
           delete from usage_events where occurred_at >= $1 and event_id like $2 returning 1
         )
         select count(*) as n from gone`,
        [run.since, pattern],
      );
      removed += deleted?.n ?? 0;
      await tx.query("delete from usage_event_ids where event_id like $1", [pattern]);
      await tx.query(
        "delete from event_log where id > $1 and type = 'milestone.achieved'",
        [run.event_log_id],
      );
    }
    if (runs.length > 0) {
      await tx.query(
        `update success_milestones m
         set user_id = s.user_id, achieved = s.achieved, achieved_at = s.achieved_at,
           progress = s.progress
         from ${SNAPSHOT_TABLE} s
         where m.customer_id = s.customer_id and m.milestone_key = s.milestone_key
           and (m.achieved, m.progress, m.user_id) is distinct from (s.achieved, s.progress, s.user_id)`,
      );
    }
    await tx.exec(`drop table if exists ${SNAPSHOT_TABLE}; delete from bench_api_ingest_run`);
    return removed;
  });
}
