/**
 * Claiming a batch to post, safely with several engines on one database:
 * a batch is held by a lease (lease_owner, lease_until) taken under
 * `FOR UPDATE SKIP LOCKED`, so two engines never post the same batch at
 * once, and one that dies mid-post leaves it to the others when the lease
 * runs out. A batch keeps its events and its idempotency key across
 * attempts: a retry posts the same events under the same key.
 *
 * Order per customer: an event joins a new batch only together with every
 * earlier pending event of its customer, so a customer's events are posted
 * in the order they were queued, whichever engine posts them.
 */
import type { Db, Queryable } from "../../engine/db/mod.ts";

/** A batch claimed for one attempt. */
export interface ClaimedBatch {
  id: number;
  idempotencyKey: string;
  /** This attempt's number, from 1. */
  attempt: number;
}

/** Who claims, and until when. */
export interface ClaimOptions {
  now: Date;
  owner: string;
  leaseUntil: Date;
}

interface BatchRow {
  id: number;
  idempotency_key: string;
  attempts: number;
}

function claimed(row: BatchRow | undefined): ClaimedBatch | null {
  return row
    ? { id: Number(row.id), idempotencyKey: row.idempotency_key, attempt: row.attempts }
    : null;
}

/**
 * Claims the oldest batch that failed before and is due again (or whose
 * engine's lease ran out); null when there is none.
 */
export async function claimDueBatch(
  db: Queryable,
  options: ClaimOptions,
): Promise<ClaimedBatch | null> {
  const [row] = await db.query<BatchRow>(
    `with due as (
       select id from marketing_batches
       where done_at is null and next_attempt_at <= $1
         and (lease_until is null or lease_until <= $1)
       order by id limit 1
       for update skip locked
     )
     update marketing_batches b
     set lease_owner = $2, lease_until = $3, attempts = b.attempts + 1
     from due where b.id = due.id
     returning b.id, b.idempotency_key, b.attempts`,
    [options.now, options.owner, options.leaseUntil],
  );
  return claimed(row);
}

/** What cutting a new batch needs. */
export interface CutOptions extends ClaimOptions {
  /** Makes the new batch's idempotency key; called only when a batch is cut. */
  newKey: () => string;
  batchSize: number;
  /** Cut a batch smaller than batchSize only once its oldest event waited this long. */
  maxWaitMs: number;
}

// $1 now, $2 owner, $3 lease until, $4 key, $5 batch size. Candidates are the
// oldest unbatched events no other engine is cutting; of those, an event
// whose customer has an earlier pending event outside the candidates (in a
// batch still open, or being cut by another engine) waits for it.
const CUT_SQL = `
with candidates as (
  select o.id, o.customer_id from marketing_outbox o
  where o.state = 'pending' and o.batch_id is null
  order by o.id limit $5
  for update skip locked
),
ready as (
  select c.id from candidates c
  where not exists (
    select 1 from marketing_outbox p
    where p.customer_id = c.customer_id and p.state = 'pending' and p.id < c.id
      and p.id not in (select id from candidates)
  )
),
batch as (
  insert into marketing_batches
    (idempotency_key, created_at, attempts, next_attempt_at, lease_owner, lease_until)
  select $4, $1, 1, $1, $2, $3 where exists (select 1 from ready)
  returning id, idempotency_key, attempts
),
assigned as (
  update marketing_outbox o set batch_id = batch.id
  from batch, ready where o.id = ready.id
  returning o.id
)
select batch.id, batch.idempotency_key, batch.attempts from batch
where exists (select 1 from assigned)`;

/**
 * Cuts a new batch of up to `batchSize` queued events and claims it; null
 * when none is due: fewer than `batchSize` wait and the oldest has waited
 * less than `maxWaitMs`, or a failed batch is waiting for its retry (the
 * endpoint is down: new batches would only fail too, and overtake it).
 */
export function cutBatch(db: Db, options: CutOptions): Promise<ClaimedBatch | null> {
  return db.transaction(async (tx) => {
    const [state] = await tx.query<{ waiting: number; oldest: Date | null; retrying: boolean }>(
      `select
         (select count(*)::int from (
            select 1 from marketing_outbox
            where state = 'pending' and batch_id is null limit $2) q) as waiting,
         (select min(queued_at) from marketing_outbox
            where state = 'pending' and batch_id is null) as oldest,
         exists (select 1 from marketing_batches
            where done_at is null and next_attempt_at > $1) as retrying`,
      [options.now, options.batchSize],
    );
    if (!state || state.waiting === 0 || state.retrying) return null;
    const oldestWaitMs = state.oldest ? options.now.getTime() - state.oldest.getTime() : 0;
    if (state.waiting < options.batchSize && oldestWaitMs < options.maxWaitMs) return null;
    const [row] = await tx.query<BatchRow>(CUT_SQL, [
      options.now,
      options.owner,
      options.leaseUntil,
      options.newKey(),
      options.batchSize,
    ]);
    return claimed(row);
  });
}
