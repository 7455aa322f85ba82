/**
 * One run per tick of a scheduled job, however many engines fire it: the
 * tick (its slot, to the minute) is claimed in scheduled_job_runs, the first
 * engine to claim it runs the job and the others skip that tick. The run's
 * end and outcome are recorded there (reports say when a job last ran).
 */
import type { Queryable } from "./db.ts";

/** A tick of a scheduled job. */
export interface JobTick {
  job: string;
  /** The tick's time; runs are claimed per minute. */
  slot: Date;
  now: () => Date;
  /** Who runs it (this process, `host:pid`, unless told). */
  holder?: string;
}

/** What the run ended with, as scheduled_job_runs.outcome records it. */
export type JobOutcome<T> = (ended: { result: T } | { error: unknown }) => Record<string, unknown>;

/**
 * Runs `work` if this process claims the tick, and returns its result; null
 * when another engine claimed it. An error of `work` is recorded, then thrown.
 */
export async function runOncePerTick<T>(
  db: Queryable,
  tick: JobTick,
  work: () => Promise<T>,
  outcomeOf: JobOutcome<T>,
): Promise<T | null> {
  const holder = tick.holder ?? `${Deno.hostname()}:${Deno.pid}`;
  const [claimed] = await db.query<{ slot: Date }>(
    `insert into scheduled_job_runs (job, slot, holder, started_at)
     values ($1, date_trunc('minute', $2::timestamptz), $3, $4)
     on conflict do nothing returning slot`,
    [tick.job, tick.slot, holder, tick.now()],
  );
  if (!claimed) return null;
  let outcome: Record<string, unknown> = {};
  try {
    const result = await work();
    outcome = outcomeOf({ result });
    return result;
  } catch (error) {
    outcome = outcomeOf({ error });
    throw error;
  } finally {
    await db.query(
      `update scheduled_job_runs set finished_at = $4, outcome = $5
       where job = $1 and slot = $2 and holder = $3`,
      [tick.job, claimed.slot, holder, tick.now(), outcome],
    );
  }
}

/** An error's message, for an outcome. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
