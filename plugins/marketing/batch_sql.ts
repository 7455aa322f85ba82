/**
 * A claimed batch from its events to its end: its events of customers who
 * churned or unsubscribed since marked suppressed, the others read to post,
 * then sent after a 2xx, or failed and waiting for a retry, or given back
 * when the engine stops.
 */
import type { Queryable } from "../../engine/db/mod.ts";
import { openPickedFields } from "./field_sealing.ts";
import type { PickedFields } from "./fields.ts";
import type { MarketingKind } from "./selection.ts";
import { suppressionReasonSql } from "./suppression_sql.ts";

/** An event of a batch, as queued. */
export interface BatchEvent {
  eventId: number;
  kind: MarketingKind;
  eventType: string;
  occurredAt: Date;
  fields: PickedFields;
}

// $1 batch, $2 unsubscribed channels that count, $3 now.
const SUPPRESS_SQL = `
update marketing_outbox o
set state = 'suppressed', suppressed_reason = r.reason, done_at = $3
from (
  select p.id, ${suppressionReasonSql("c", "$2")} as reason
  from marketing_outbox p join customers c on c.id = p.customer_id
  where p.batch_id = $1 and p.state = 'pending'
) r
where o.id = r.id and r.reason is not null
returning o.id`;

/**
 * Marks the events of batch `batchId` whose customers churned or
 * unsubscribed since they were queued as suppressed; returns how many.
 */
export async function suppressBatchEvents(
  db: Queryable,
  batchId: number,
  options: { unsubscribedChannels: readonly string[]; now: Date },
): Promise<number> {
  const rows = await db.query(SUPPRESS_SQL, [batchId, options.unsubscribedChannels, options.now]);
  return rows.length;
}

/** The pending events of batch `batchId`, in queue order. */
export async function readBatchEvents(db: Queryable, batchId: number): Promise<BatchEvent[]> {
  const rows = await db.query<{
    event_id: number;
    kind: MarketingKind;
    event_type: string;
    occurred_at: Date;
    fields: Record<string, unknown>;
  }>(
    `select event_id, kind, event_type, occurred_at, fields from marketing_outbox
     where batch_id = $1 and state = 'pending' order by id`,
    [batchId],
  );
  return await Promise.all(rows.map(async (row) => ({
    eventId: Number(row.event_id),
    kind: row.kind,
    eventType: row.event_type,
    occurredAt: row.occurred_at,
    fields: await openPickedFields(row.fields),
  })));
}

/** Ends batch `batchId`: its pending events `sent`, or the batch `suppressed` when none was left. */
export async function finishBatch(
  db: Queryable,
  batchId: number,
  options: { outcome: "sent" | "suppressed"; now: Date },
): Promise<void> {
  await db.query(
    `with batch as (
       update marketing_batches
       set outcome = $2, done_at = $3, lease_owner = null, lease_until = null
       where id = $1 and done_at is null
       returning id
     )
     update marketing_outbox set state = 'sent', done_at = $3
     where batch_id = $1 and state = 'pending'`,
    [batchId, options.outcome, options.now],
  );
}

/** Records a failed attempt of batch `batchId`: it waits until `retryAt`. */
export async function failBatch(
  db: Queryable,
  batchId: number,
  options: { error: string; now: Date; retryAt: Date },
): Promise<void> {
  await db.query(
    `update marketing_batches
     set lease_owner = null, lease_until = null, next_attempt_at = $3,
       last_error = $2, last_error_at = $4
     where id = $1 and done_at is null`,
    [batchId, options.error, options.retryAt, options.now],
  );
}

/**
 * Gives batch `batchId` back without counting the attempt (the engine is
 * stopping): another engine, or this one when it starts again, posts it.
 */
export async function releaseBatch(db: Queryable, batchId: number, owner: string): Promise<void> {
  await db.query(
    `update marketing_batches
     set lease_owner = null, lease_until = null, attempts = greatest(attempts - 1, 0)
     where id = $1 and done_at is null and lease_owner = $2`,
    [batchId, owner],
  );
}
