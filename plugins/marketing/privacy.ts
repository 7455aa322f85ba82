/**
 * The marketing plugin's part of privacy requests: its outbox rows for the
 * customer (the fields queued for, or sent to, MARKETING_API_ENDPOINT).
 * Erasing deletes them, sent or not; the marketing platform's own copy is
 * the platform's to erase (docs/privacy.md).
 */
import type { Db } from "../../engine/db/mod.ts";
import type { PluginErasedRows, PluginRowsByTable } from "../../engine/plugins/mod.ts";

/** The customer's rows in marketing_outbox. */
export async function exportMarketingData(
  db: Db,
  customerId: string,
): Promise<PluginRowsByTable> {
  return {
    marketing_outbox: await db.query(
      "select * from marketing_outbox where customer_id = $1 order by id",
      [customerId],
    ),
  };
}

/** Deletes the customer's outbox rows (a pending one is then never sent). */
export async function eraseMarketingData(db: Db, customerId: string): Promise<PluginErasedRows> {
  const rows = await db.query(
    "delete from marketing_outbox where customer_id = $1 returning 1",
    [customerId],
  );
  return { marketing_outbox: rows.length };
}
