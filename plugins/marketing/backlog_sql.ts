/**
 * The queue as health reports it (what waits, since when, the last error),
 * and the clean-up of sent and suppressed rows after `keepDays`.
 */
import type { Queryable } from "../../engine/db/mod.ts";

/** What waits to be sent. */
export interface Backlog {
  /** Events queued and not sent yet. */
  waiting: number;
  /** When the oldest of them was queued; null when none waits. */
  oldestQueuedAt: Date | null;
  /** The latest failure of a batch not sent yet; null when none failed. */
  failure: { error: string; at: Date; attempts: number; retryAt: Date } | null;
}

/** The backlog, read in one statement. */
export async function readBacklog(db: Queryable): Promise<Backlog> {
  const [row] = await db.query<{
    waiting: number;
    oldest: Date | null;
    error: string | null;
    error_at: Date | null;
    attempts: number | null;
    retry_at: Date | null;
  }>(
    `select
       (select count(*)::int from marketing_outbox where state = 'pending') as waiting,
       (select min(queued_at) from marketing_outbox where state = 'pending') as oldest,
       f.last_error as error, f.last_error_at as error_at, f.attempts,
       f.next_attempt_at as retry_at
     from (select 1) one
     left join lateral (
       select last_error, last_error_at, attempts, next_attempt_at from marketing_batches
       where done_at is null and last_error is not null
       order by last_error_at desc limit 1
     ) f on true`,
  );
  return {
    waiting: row?.waiting ?? 0,
    oldestQueuedAt: row?.oldest ?? null,
    failure: row?.error && row.error_at && row.retry_at
      ? { error: row.error, at: row.error_at, attempts: row.attempts ?? 0, retryAt: row.retry_at }
      : null,
  };
}

/** Deletes sent and suppressed events, and finished batches, done before `before`. */
export async function deleteDone(db: Queryable, before: Date): Promise<void> {
  await db.query(
    "delete from marketing_outbox where state <> 'pending' and done_at < $1",
    [before],
  );
  // A batch done before the cut-off has only done events: they went just now.
  await db.query(
    `delete from marketing_batches b where b.done_at < $1
     and not exists (select 1 from marketing_outbox o where o.batch_id = b.id)`,
    [before],
  );
}
