/**
 * The offline plugin's part of privacy requests: which callers the customer
 * is assigned to, and the receipts of items pushed for it (their answers
 * hold the customer as it was).
 */
import type { Db } from "../../engine/db/mod.ts";
import type { PluginErasedRows, PluginRowsByTable } from "../../engine/plugins/mod.ts";

/** The customer's rows in offline_assignments and offline_push_receipts. */
export async function exportOfflineData(db: Db, customerId: string): Promise<PluginRowsByTable> {
  return {
    offline_assignments: await db.query(
      "select * from offline_assignments where customer_id = $1 order by caller",
      [customerId],
    ),
    offline_push_receipts: await db.query(
      "select * from offline_push_receipts where customer_id = $1 order by received_at, key",
      [customerId],
    ),
  };
}

/** Deletes the customer's assignments and push receipts, in one transaction. */
export function eraseOfflineData(db: Db, customerId: string): Promise<PluginErasedRows> {
  return db.transaction(async (tx) => {
    const assignments = await tx.query(
      "delete from offline_assignments where customer_id = $1 returning 1",
      [customerId],
    );
    const receipts = await tx.query(
      "delete from offline_push_receipts where customer_id = $1 returning 1",
      [customerId],
    );
    return { offline_assignments: assignments.length, offline_push_receipts: receipts.length };
  });
}
