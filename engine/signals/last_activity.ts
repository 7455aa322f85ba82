/** When customers were last active: their latest usage event, for lists of customers. */
import type { Queryable } from "../db/mod.ts";

/**
 * The time of each customer's latest usage event (ISO 8601), by id; customers
 * without any event are missing. One index lookup per customer and
 * partition, so it is meant for a page of customers, not for all of them.
 */
export async function lastActivity(
  db: Queryable,
  customerIds: readonly string[],
): Promise<Map<string, string>> {
  const rows = await db.query<{ id: string; at: Date | null }>(
    `select c.id, (select max(e.occurred_at) from usage_events e where e.customer_id = c.id) as at
     from unnest($1::text[]) as c(id)`,
    [customerIds],
  );
  return new Map(
    rows.flatMap((row) => row.at === null ? [] : [[row.id, new Date(row.at).toISOString()]]),
  );
}
