/** Cycle rows: starting one (at most one runs), recording stages, reading them back. */
import { type Db, PgCode, pgErrorCode, type Queryable } from "../db/mod.ts";
import { EngineError } from "../errors.ts";

/** What started a cycle. */
export type CycleTrigger = "schedule" | "api" | "cli" | "startup";
/** Where a cycle is. */
export type CycleStatus = "running" | "succeeded" | "failed" | "abandoned";

/** One stage of a cycle, as recorded. */
export interface CycleStage {
  name: string;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  counts: Record<string, number>;
  error?: string;
}

/** A cycle, as the API shows it. */
export interface Cycle {
  id: number;
  trigger: CycleTrigger;
  status: CycleStatus;
  asOf: string;
  startedAt: string;
  heartbeatAt: string;
  finishedAt: string | null;
  stages: CycleStage[];
  error: string | null;
}

interface CycleRow {
  id: number;
  trigger: CycleTrigger;
  status: CycleStatus;
  as_of: Date;
  started_at: Date;
  heartbeat_at: Date;
  finished_at: Date | null;
  stages: CycleStage[];
  error: string | null;
}

const COLUMNS = "id, trigger, status, as_of, started_at, heartbeat_at, finished_at, stages, error";

/** Options of startCycle. */
export interface StartCycleOptions {
  trigger: CycleTrigger;
  now: Date;
  /** A running cycle whose heartbeat is older than this is taken as dead. */
  leaseSeconds: number;
  /** For scheduled cycles: the cron tick, so one tick runs once across engines. */
  scheduleSlot?: Date;
}

/**
 * Records a new running cycle. Throws CYCLE_ALREADY_RUNNING if one runs (or
 * if another engine already took this schedule slot). A running cycle whose
 * holder stopped sending heartbeats is marked abandoned first.
 */
export async function startCycle(
  db: Db,
  options: StartCycleOptions,
): Promise<Cycle> {
  try {
    return await db.transaction(async (tx) => {
      await tx.query(
        `update cycles set status = 'abandoned', finished_at = $1,
           error = 'its engine stopped sending heartbeats (crashed or was killed)'
         where status = 'running' and heartbeat_at < $1::timestamptz - $2 * interval '1 second'`,
        [options.now, options.leaseSeconds],
      );
      const rows = await tx.query<CycleRow>(
        `insert into cycles (trigger, status, schedule_slot, as_of, started_at, heartbeat_at)
         values ($1, 'running', $2, $3, $3, $3) returning ${COLUMNS}`,
        [options.trigger, options.scheduleSlot ?? null, options.now],
      );
      return toCycle(rows[0]!);
    });
  } catch (error) {
    if (pgErrorCode(error) !== PgCode.UNIQUE_VIOLATION) throw error;
    const running = await runningCycle(db);
    throw new EngineError(
      "CYCLE_ALREADY_RUNNING",
      running
        ? `Cycle ${running.id} is running since ${running.startedAt}; wait for it to finish ` +
          `(GET /api/v1/cycles/${running.id})`
        : "Another engine already ran this scheduled cycle",
      { cause: error },
    );
  }
}

/** The running cycle, if any. */
export async function runningCycle(db: Queryable): Promise<Cycle | null> {
  const rows = await db.query<CycleRow>(`select ${COLUMNS} from cycles where status = 'running'`);
  return rows[0] ? toCycle(rows[0]) : null;
}

/** Saves the stages so far and refreshes the heartbeat. */
export async function recordCycleProgress(
  db: Queryable,
  id: number,
  stages: CycleStage[],
  now: Date,
): Promise<void> {
  await db.query("update cycles set stages = $2, heartbeat_at = $3 where id = $1", [
    id,
    stages,
    now,
  ]);
}

/** Marks the cycle finished. */
export async function finishCycle(
  db: Queryable,
  id: number,
  outcome: {
    status: "succeeded" | "failed";
    stages: CycleStage[];
    error: string | null;
    now: Date;
  },
): Promise<Cycle> {
  const rows = await db.query<CycleRow>(
    `update cycles set status = $2, stages = $3, error = $4, finished_at = $5, heartbeat_at = $5
     where id = $1 returning ${COLUMNS}`,
    [id, outcome.status, outcome.stages, outcome.error, outcome.now],
  );
  return toCycle(rows[0]!);
}

/** One cycle, or CYCLE_NOT_FOUND. */
export async function getCycle(db: Queryable, id: number): Promise<Cycle> {
  const rows = await db.query<CycleRow>(`select ${COLUMNS} from cycles where id = $1`, [id]);
  if (!rows[0]) {
    throw new EngineError("CYCLE_NOT_FOUND", `No cycle ${id}: list cycles with GET /api/v1/cycles`);
  }
  return toCycle(rows[0]);
}

/** Cycles, newest first, before `cursor` (the last id of the previous page). */
export async function listCycles(
  db: Queryable,
  options: { cursor?: number; limit: number },
): Promise<{ cycles: Cycle[]; nextCursor: number | null }> {
  const rows = await db.query<CycleRow>(
    `select ${COLUMNS} from cycles where ($1::bigint is null or id < $1) order by id desc limit $2`,
    [options.cursor ?? null, options.limit + 1],
  );
  const cycles = rows.slice(0, options.limit).map(toCycle);
  return { cycles, nextCursor: rows.length > options.limit ? cycles.at(-1)!.id : null };
}

function toCycle(row: CycleRow): Cycle {
  return {
    id: row.id,
    trigger: row.trigger,
    status: row.status,
    asOf: row.as_of.toISOString(),
    startedAt: row.started_at.toISOString(),
    heartbeatAt: row.heartbeat_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
    stages: row.stages,
    error: row.error,
  };
}
