/**
 * The preview's customer picker: a customer found by id or by name. Names
 * are stored encrypted (engine/privacy), so a name cannot be matched in
 * SQL: ids are matched there, names among the first SEARCHED_CUSTOMERS
 * customers once decrypted — enough to pick an example for a preview,
 * which is all this is for.
 */
import type { Queryable } from "../../db/mod.ts";
import { customerColumns, type CustomerRow, readCustomers } from "../../signals/mod.ts";

/** How many customers a name search reads. */
export const SEARCHED_CUSTOMERS = 2_000;

/** A customer as the picker shows it. */
export interface PickedCustomer {
  id: string;
  name: string;
}

/** Up to `limit` customers whose id or name contains `query` (any case); the first ones if empty. */
export async function findPreviewCustomers(
  db: Queryable,
  query: string,
  limit = 10,
): Promise<PickedCustomer[]> {
  const wanted = query.trim().toLowerCase();
  const byId = await db.query<CustomerRow>(
    `select ${customerColumns()} from customers
     where $1 = '' or lower(id) like '%' || $2 || '%'
     order by lower(id) = $1 desc, id limit $3`,
    [wanted, wanted.replace(/[\\%_]/g, "\\$&"), limit],
  );
  if (byId.length > 0 || wanted === "") return await picked(byId);
  const rows = await db.query<CustomerRow>(
    `select ${customerColumns()} from customers order by id limit $1`,
    [SEARCHED_CUSTOMERS],
  );
  const customers = await picked(rows);
  return customers.filter((c) => c.name.toLowerCase().includes(wanted)).slice(0, limit);
}

async function picked(rows: readonly CustomerRow[]): Promise<PickedCustomer[]> {
  return (await readCustomers(rows)).map((c) => ({ id: c.id, name: c.name }));
}
