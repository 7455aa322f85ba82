/** Appending to and reading the domain event log. */
import type { Queryable } from "../db/mod.ts";

/** Every domain event type, a closed list. */
export const domainEventTypes = [
  "customer.updated",
  "milestone.achieved",
  "health.changed",
  "rule.disabled",
  // A customer's first churn prediction, or one that moved by 0.1 or more.
  "churn.predicted",
  // A churn model's realized accuracy fell below ML_ACCURACY_ALERT_THRESHOLD.
  "ml.degraded",
  // A published rule fired for a customer in a cycle (with its explanation's firing id).
  "rule.fired",
  // An intervention was planned (outbox), sent by its channel, or failed for good.
  "intervention.planned",
  "intervention.sent",
  "intervention.failed",
  // A privacy deletion erased a customer: its payload holds the id's digest and the pseudonym
  // that replaced it, never the id (docs/privacy.md).
  "customer.erased",
] as const;

/** A domain event type, e.g. `"milestone.achieved"`. */
export type DomainEventType = typeof domainEventTypes[number];

/** A domain event to append. */
export interface DomainEvent {
  type: DomainEventType;
  customerId: string | null;
  payload: Record<string, unknown>;
  occurredAt: Date;
}

/** A domain event as stored, with its position in the log. */
export interface StoredDomainEvent extends DomainEvent {
  id: number;
  recordedAt: Date;
}

/** Appends events in one statement; call it with the transaction of the change. */
export async function appendDomainEvents(
  tx: Queryable,
  events: readonly DomainEvent[],
): Promise<void> {
  if (events.length === 0) return;
  await tx.query(
    `insert into event_log (type, customer_id, payload, occurred_at)
     select type, customer_id, payload, occurred_at
     from json_to_recordset($1::json) as e(type text, customer_id text, payload jsonb, occurred_at timestamptz)`,
    [events.map((e) => ({
      type: e.type,
      customer_id: e.customerId,
      payload: e.payload,
      occurred_at: e.occurredAt.toISOString(),
    }))],
  );
}

/** Reads events after `afterId` in log order, optionally for one customer or of some types. */
export async function readDomainEvents(
  db: Queryable,
  options: { afterId?: number; customerId?: string; types?: readonly string[]; limit?: number } =
    {},
): Promise<{ events: StoredDomainEvent[]; lastId: number }> {
  const rows = await db.query<{
    id: number;
    type: DomainEventType;
    customer_id: string | null;
    payload: Record<string, unknown>;
    occurred_at: Date;
    recorded_at: Date;
  }>(
    `select id, type, customer_id, payload, occurred_at, recorded_at from event_log
     where id > $1 and ($2::text is null or customer_id = $2)
       and ($3::text[] is null or type = any($3::text[]))
     order by id limit $4`,
    [options.afterId ?? 0, options.customerId ?? null, options.types ?? null, options.limit ?? 100],
  );
  const events = rows.map((r) => ({
    id: r.id,
    type: r.type,
    customerId: r.customer_id,
    payload: r.payload,
    occurredAt: r.occurred_at,
    recordedAt: r.recorded_at,
  }));
  return { events, lastId: events.at(-1)?.id ?? options.afterId ?? 0 };
}
