/** Cycle rows: starting one (at most one runs), recording stages, reading them back. */
import { PgCode, pgErrorCode, type Queryable } from "../db/mod.ts";
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
  /** Times another engine took the cycle over after its holder stopped. */
  resumes: number;
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
  resumes: number;
}

const COLUMNS =
  "id, trigger, status, as_of, started_at, heartbeat_at, finished_at, stages, error, resumes";

/** Options of startCycle. */
export interface StartCycleOptions {
  trigger: CycleTrigger;
  now: Date;
  /** A running cycle whose heartbeat is older than this is taken as dead. */
  leaseSeconds: number;
  /** The engine process that will hold the cycle. */
  holder: string;
  /** For scheduled cycles: the cron tick, so one tick runs once across engines. */
  scheduleSlot?: Date;
}

/**
 * Takes over a running cycle whose holder stopped sending heartbeats (it
 * crashed or was killed), or else records a new running cycle. Throws
 * CYCLE_ALREADY_RUNNING if a live one runs (or if another engine already took
 * this schedule slot).
 */
export async function startCycle(
  db: Queryable,
  options: StartCycleOptions,
): Promise<{ cycle: Cycle; resumed: boolean }> {
  const taken = await takeOverExpiredCycle(db, options);
  if (taken) return { cycle: taken, resumed: true };
  try {
    const rows = await db.query<CycleRow>(
      `insert into cycles (trigger, status, schedule_slot, as_of, started_at, heartbeat_at, holder)
       values ($1, 'running', $2, $3, $3, $3, $4) returning ${COLUMNS}`,
      [options.trigger, options.scheduleSlot ?? null, options.now, options.holder],
    );
    return { cycle: toCycle(rows[0]!), resumed: false };
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

/**
 * Makes `holder` the holder of the running cycle if its heartbeat is older
 * than the lease; returns that cycle, or null when none is left behind.
 */
export async function takeOverExpiredCycle(
  db: Queryable,
  options: { now: Date; leaseSeconds: number; holder: string },
): Promise<Cycle | null> {
  const rows = await db.query<CycleRow>(
    `update cycles set holder = $3, heartbeat_at = $1, resumes = resumes + 1
     where status = 'running' and heartbeat_at < $1::timestamptz - $2 * interval '1 second'
     returning ${COLUMNS}`,
    [options.now, options.leaseSeconds, options.holder],
  );
  return rows[0] ? toCycle(rows[0]) : null;
}

/** The running cycle, if any. */
export async function runningCycle(db: Queryable): Promise<Cycle | null> {
  const rows = await db.query<CycleRow>(`select ${COLUMNS} from cycles where status = 'running'`);
  return rows[0] ? toCycle(rows[0]) : null;
}

/**
 * Saves the stages so far and refreshes the heartbeat (the lease). Returns
 * false when `holder` no longer holds the cycle (another engine took it over).
 */
export async function recordCycleProgress(
  db: Queryable,
  id: number,
  progress: { stages: CycleStage[]; now: Date; holder: string },
): Promise<boolean> {
  const rows = await db.query(
    `update cycles set stages = $2, heartbeat_at = $3
     where id = $1 and holder = $4 and status = 'running' returning id`,
    [id, progress.stages, progress.now, progress.holder],
  );
  return rows.length > 0;
}

/** Marks the cycle finished; null when `holder` no longer holds it. */
export async function finishCycle(
  db: Queryable,
  id: number,
  outcome: {
    status: "succeeded" | "failed";
    stages: CycleStage[];
    error: string | null;
    now: Date;
    holder: string;
  },
): Promise<Cycle | null> {
  const rows = await db.query<CycleRow>(
    `update cycles set status = $2, stages = $3, error = $4, finished_at = $5, heartbeat_at = $5
     where id = $1 and holder = $6 and status = 'running' returning ${COLUMNS}`,
    [id, outcome.status, outcome.stages, outcome.error, outcome.now, outcome.holder],
  );
  return rows[0] ? toCycle(rows[0]) : null;
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
    resumes: row.resumes,
  };
}
