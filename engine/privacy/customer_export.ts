/**
 * Everything held about one customer, read from every table of
 * customer_tables.ts and from the plugins: the access request's document and
 * the portability archive's content. Built when it is downloaded, from the
 * live data, so no copy of it is stored and a later deletion leaves none.
 */
import type { Queryable } from "../db/mod.ts";
import { customerTables } from "./customer_tables.ts";
import { openRows } from "./encryption/mod.ts";
import type { PersonalDataHolders, RowsByTable } from "./personal_data.ts";

/** The schema of the export; a change to its shape changes it. */
export const EXPORT_SCHEMA_VERSION = 1;

/** The access document. */
export interface CustomerExport {
  schemaVersion: number;
  generatedAt: string;
  requestId: number;
  customerId: string;
  /** Engine tables, the customers row first; every table is present, empty or not. */
  tables: RowsByTable;
  /** Per plugin, its tables. */
  plugins: Record<string, RowsByTable>;
}

/** Reads every row about `customerId`. */
export async function exportCustomer(
  db: Queryable,
  holders: PersonalDataHolders,
  request: { requestId: number; customerId: string; now: Date },
): Promise<CustomerExport> {
  const tables: RowsByTable = {
    customers: await rows(
      db,
      "customers",
      "select * from customers where id = $1",
      request.customerId,
    ),
  };
  for (const table of customerTables) {
    tables[table.table] = await rows(db, table.table, table.export, request.customerId);
  }
  tables.privacy_requests = await rows(
    db,
    "privacy_requests",
    `select id, type, status, requested_at, due_at, completed_at from privacy_requests
     where customer_id = $1 order by id`,
    request.customerId,
  );
  return {
    schemaVersion: EXPORT_SCHEMA_VERSION,
    generatedAt: request.now.toISOString(),
    requestId: request.requestId,
    customerId: request.customerId,
    tables,
    plugins: await openPluginRows(await holders.exportCustomer(request.customerId)),
  };
}

// A plugin's rows come from its tables as stored: what is encrypted there is decrypted too.
async function openPluginRows(
  plugins: Record<string, RowsByTable>,
): Promise<Record<string, RowsByTable>> {
  const opened: Record<string, RowsByTable> = {};
  for (const [plugin, tables] of Object.entries(plugins)) {
    opened[plugin] = {};
    for (const [table, rows] of Object.entries(tables)) {
      opened[plugin][table] = await openRows(table, rows);
    }
  }
  return opened;
}

// Decrypted: the customer gets its data, not ciphertext.
async function rows(
  db: Queryable,
  table: string,
  sql: string,
  customerId: string,
): Promise<Record<string, unknown>[]> {
  const found = await db.query<Record<string, unknown>>(sql, [customerId]);
  return await openRows(table, found.map(plain));
}

// Dates as ISO strings and bigints as numbers, so the document is plain JSON.
function plain(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, toJson(v)]));
}

function toJson(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return Number(value);
  return value;
}
