/** retention_runs: one row per run of the retention job, what it removed, and how it ended. */
import { PgCode, pgErrorCode, type Queryable } from "../db/mod.ts";
import { EngineError } from "../errors.ts";

/** What a run removed (or, in a dry run, would remove) from one table. */
export interface RemovedFrom {
  table: string;
  /** Rows deleted, or rows the dropped partitions held. */
  rows: number;
  /** The partitions dropped, for the partitioned tables. */
  partitions?: string[];
  /** The plugin whose manifest declared the table (engine tables have none). */
  plugin?: string;
}

/** Who started a run. */
export type RetentionTrigger = "schedule" | "cli" | "api";

/** A recorded run. */
export interface RetentionRun {
  id: number;
  trigger: RetentionTrigger;
  dryRun: boolean;
  retentionDays: number;
  cutoff: Date;
  startedAt: Date;
  finishedAt: Date | null;
  status: "running" | "succeeded" | "failed";
  removed: RemovedFrom[];
  error: string | null;
}

interface RunRow {
  id: string | number;
  trigger: RetentionTrigger;
  dry_run: boolean;
  retention_days: number;
  cutoff: Date;
  started_at: Date;
  finished_at: Date | null;
  status: RetentionRun["status"];
  removed: RemovedFrom[];
  error: string | null;
}

/** A run with no progress for this long is taken as dead (its batches are seconds each). */
const ABANDONED_AFTER_MS = 10 * 60_000;

/**
 * Records the start of a run; returns its id. Throws RETENTION_ALREADY_RUNNING
 * when another run that removes data is in progress; one whose heartbeat
 * stopped is marked failed first, so a crash does not block retention.
 */
export async function startRun(
  db: Queryable,
  run: Pick<RetentionRun, "trigger" | "dryRun" | "retentionDays" | "cutoff" | "startedAt">,
): Promise<number> {
  await db.query(
    `update retention_runs set status = 'failed', finished_at = $1,
       error = 'Abandoned: its process stopped before finishing; the next run went on'
     where status = 'running' and heartbeat_at < $2`,
    [run.startedAt, new Date(run.startedAt.getTime() - ABANDONED_AFTER_MS)],
  );
  try {
    const [row] = await db.query<{ id: string | number }>(
      `insert into retention_runs
         (trigger, dry_run, retention_days, cutoff, started_at, heartbeat_at, status)
       values ($1, $2, $3, $4, $5, $5, 'running') returning id`,
      [run.trigger, run.dryRun, run.retentionDays, run.cutoff, run.startedAt],
    );
    return Number(row!.id);
  } catch (error) {
    if (pgErrorCode(error) !== PgCode.UNIQUE_VIOLATION) throw error;
    const [running] = await db.query<{ id: string; started_at: Date }>(
      "select id, started_at from retention_runs where status = 'running' and not dry_run",
    );
    throw new EngineError(
      "RETENTION_ALREADY_RUNNING",
      `Retention run ${running?.id ?? "?"} is running since ` +
        `${running ? new Date(running.started_at).toISOString() : "a moment ago"}; ` +
        "wait for it to finish",
      { cause: error },
    );
  }
}

/** Records how a run ended (also its progress so far, while it runs). */
export async function updateRun(
  db: Queryable,
  id: number,
  end: Pick<RetentionRun, "removed" | "status" | "error" | "finishedAt"> & { at: Date },
): Promise<void> {
  await db.query(
    `update retention_runs set removed = $2, status = $3, error = $4, finished_at = $5,
       heartbeat_at = $6 where id = $1`,
    [id, end.removed, end.status, end.error, end.finishedAt, end.at],
  );
}

/** The latest run that removed data (dry runs left out), or null when none ran. */
export async function lastRetentionRun(db: Queryable): Promise<RetentionRun | null> {
  const [row] = await db.query<RunRow>(
    `select * from retention_runs where not dry_run order by started_at desc, id desc limit 1`,
  );
  return row ? toRun(row) : null;
}

function toRun(row: RunRow): RetentionRun {
  return {
    id: Number(row.id),
    trigger: row.trigger,
    dryRun: row.dry_run,
    retentionDays: row.retention_days,
    cutoff: new Date(row.cutoff),
    startedAt: new Date(row.started_at),
    finishedAt: row.finished_at === null ? null : new Date(row.finished_at),
    status: row.status,
    removed: row.removed,
    error: row.error,
  };
}
