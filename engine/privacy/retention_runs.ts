/** retention_runs: one row per run of the retention job, what it removed, and how it ended. */
import type { Queryable } from "../db/mod.ts";

/** What a run removed (or, in a dry run, would remove) from one table. */
export interface RemovedFrom {
  table: string;
  /** Rows deleted, or rows the dropped partitions held. */
  rows: number;
  /** The partitions dropped, for the partitioned tables. */
  partitions?: string[];
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

/** Records the start of a run; returns its id. */
export async function startRun(
  db: Queryable,
  run: Pick<RetentionRun, "trigger" | "dryRun" | "retentionDays" | "cutoff" | "startedAt">,
): Promise<number> {
  const [row] = await db.query<{ id: string | number }>(
    `insert into retention_runs (trigger, dry_run, retention_days, cutoff, started_at, status)
     values ($1, $2, $3, $4, $5, 'running') returning id`,
    [run.trigger, run.dryRun, run.retentionDays, run.cutoff, run.startedAt],
  );
  return Number(row!.id);
}

/** Records how a run ended (also its progress so far, while it runs). */
export async function updateRun(
  db: Queryable,
  id: number,
  end: Pick<RetentionRun, "removed" | "status" | "error" | "finishedAt">,
): Promise<void> {
  await db.query(
    `update retention_runs set removed = $2, status = $3, error = $4, finished_at = $5
     where id = $1`,
    [id, end.removed, end.status, end.error, end.finishedAt],
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
