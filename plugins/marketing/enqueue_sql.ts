/**
 * Queuing a selected event: the event hub's handler reads the customer
 * (whether it may be sent, and the fields to send) and appends one row,
 * once per event id however often the hub delivers it.
 */
import type { Queryable } from "../../engine/db/mod.ts";
import { openCustomerFields } from "../../engine/signals/mod.ts";
import { sealPickedFields } from "./field_sealing.ts";
import type { CustomerFields, PickedFields } from "./fields.ts";
import type { MarketingKind } from "./selection.ts";
import { type SuppressionReason, suppressionReasonSql } from "./suppression_sql.ts";

/** A customer as the handler reads it. */
export interface QueuedCustomer {
  fields: CustomerFields;
  suppressed: SuppressionReason | null;
}

interface CustomerRow {
  id: string;
  external_id: string | null;
  name: string;
  plan: string;
  vendor_type: string;
  mrr: number;
  currency: string;
  country: string;
  time_zone: string;
  signup_date: string;
  attributes: Record<string, unknown>;
  suppressed: SuppressionReason | null;
}

// $1 customer, $2 unsubscribed channels that count ('*': any).
const CUSTOMER_SQL = `
select c.id, c.external_id, c.name, c.plan, c.vendor_type, c.mrr::float8 as mrr, c.currency,
  c.country, c.time_zone, to_char(c.signup_date, 'YYYY-MM-DD') as signup_date, c.attributes,
  ${suppressionReasonSql("c", "$2")} as suppressed
from customers c where c.id = $1`;

/** The customer `customerId`, or null when there is none (deleted since the event). */
export async function readQueuedCustomer(
  db: Queryable,
  customerId: string,
  unsubscribedChannels: readonly string[],
): Promise<QueuedCustomer | null> {
  const [stored] = await db.query<CustomerRow>(CUSTOMER_SQL, [customerId, unsubscribedChannels]);
  if (!stored) return null;
  const row = await openCustomerFields(stored);
  return {
    fields: {
      customerId: row.id,
      externalId: row.external_id,
      name: row.name,
      plan: row.plan,
      vendorType: row.vendor_type,
      mrr: row.mrr,
      currency: row.currency,
      country: row.country,
      timeZone: row.time_zone,
      signupDate: row.signup_date,
      attributes: row.attributes,
    },
    suppressed: row.suppressed,
  };
}

/** One row to queue. */
export interface QueuedEvent {
  eventId: number;
  customerId: string;
  kind: MarketingKind;
  eventType: string;
  occurredAt: string;
  fields: PickedFields;
  queuedAt: Date;
}

/**
 * Appends `event` unless its event id is queued already; true when it was
 * appended. A customer deleted meanwhile adds nothing (no foreign key error
 * for the hub to retry forever).
 */
export async function queueEvent(db: Queryable, event: QueuedEvent): Promise<boolean> {
  const rows = await db.query(
    `insert into marketing_outbox
       (event_id, customer_id, kind, event_type, occurred_at, fields, queued_at)
     select $1::bigint, c.id, $3::text, $4::text, $5::timestamptz, $6::jsonb, $7::timestamptz
     from customers c where c.id = $2
     on conflict (event_id) do nothing
     returning id`,
    [
      event.eventId,
      event.customerId,
      event.kind,
      event.eventType,
      event.occurredAt,
      await sealPickedFields(event.fields),
      event.queuedAt,
    ],
  );
  return rows.length > 0;
}
