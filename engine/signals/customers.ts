/** Storing and reading customers (wedding suppliers). */
import { type Db, PgCode, pgErrorCode, PREPARED, type Queryable } from "../db/mod.ts";
import { EngineError } from "../errors.ts";
import { assertNotErased } from "../privacy/mod.ts";
import type { Customer, CustomerRecord } from "./customer_schema.ts";
import {
  emailIndexes,
  openCustomerFields,
  openCustomerRows,
  sealCustomerFields,
} from "./customer_sealing.ts";

/** What upsertCustomers did. */
export interface UpsertResult {
  created: string[];
  updated: string[];
}

/** A customers row as CUSTOMER_COLUMNS selects it. */
export interface CustomerRow {
  id: string;
  external_id: string | null;
  name: string;
  vendor_type: Customer["vendorType"];
  plan: string;
  mrr: number;
  currency: string;
  country: string;
  time_zone: string;
  signup_date: string;
  churned_at: Date | null;
  attributes: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

/** The columns toCustomer reads, of table `alias` (for queries that join customers). */
export function customerColumns(alias = "customers"): string {
  return ["id", "external_id", "name", "vendor_type", "plan", "mrr", "currency", "country"]
    .concat(["time_zone", "churned_at", "attributes", "created_at", "updated_at"])
    .map((column) => `${alias}.${column}`)
    .concat(`to_char(${alias}.signup_date, 'YYYY-MM-DD') as signup_date`)
    .join(", ");
}

const CUSTOMER_COLUMNS = customerColumns();

/**
 * Creates or replaces customers in one transaction (one statement for the
 * batch), creates their milestone progress rows and appends a
 * `customer.updated` event for each. Fails whole on a taken external id, and
 * on an id or external id a privacy deletion erased (CUSTOMER_ERASED).
 */
export async function upsertCustomers(
  db: Db,
  customers: readonly CustomerRecord[],
  options: {
    now: Date;
    itemPath?: ItemPath;
    /** Runs first inside the transaction; throwing aborts the write (If-Match checks). */
    precondition?: (tx: Queryable) => Promise<void>;
  },
): Promise<UpsertResult> {
  if (customers.length === 0) return { created: [], updated: [] };
  const itemPath = options.itemPath ?? batchItemPath;
  assertUniqueIds(customers, itemPath);
  // Encrypted before the transaction, all at once: no crypto while rows are locked.
  const payload = await Promise.all(customers.map(async (c) => ({
    id: c.id,
    external_id: c.externalId ?? null,
    ...await sealCustomerFields({ name: c.name, attributes: c.attributes }),
    vendor_type: c.vendorType,
    plan: c.plan,
    mrr: c.mrr,
    currency: c.currency,
    country: c.country,
    time_zone: c.timeZone,
    signup_date: c.signupDate,
    churned_at: c.churnedAt ?? null,
  })));
  return await db.transaction(async (tx) => {
    await options.precondition?.(tx);
    // A customer erased by a privacy request must not come back by an import or an update.
    await assertNotErased(tx, customers);
    await assertExternalIdsFree(tx, customers, itemPath);
    const rows = await tx.query<{ id: string; created: boolean }>(
      `with input as (
         select * from json_to_recordset($1::json) as c(
           id text, external_id text, name text, vendor_type text, plan text, mrr numeric,
           currency text, country text, time_zone text, signup_date date,
           churned_at timestamptz, attributes jsonb, email_index text)
       ),
       saved as (
         insert into customers (id, external_id, name, vendor_type, plan, mrr, currency, country,
           time_zone, signup_date, churned_at, attributes, email_index, created_at, updated_at)
         select id, external_id, name, vendor_type, plan, mrr, currency, country, time_zone,
           signup_date, churned_at, attributes, email_index, $2, $2
         from input
         on conflict (id) do update set external_id = excluded.external_id, name = excluded.name,
           vendor_type = excluded.vendor_type, plan = excluded.plan, mrr = excluded.mrr,
           currency = excluded.currency, country = excluded.country,
           time_zone = excluded.time_zone, signup_date = excluded.signup_date,
           churned_at = excluded.churned_at, attributes = excluded.attributes,
           email_index = excluded.email_index, updated_at = excluded.updated_at
         returning id, signup_date, (xmax = 0) as created
       ),
       progress as (
         insert into success_milestones (customer_id, milestone_key, target, due_at)
         select s.id, d.key, d.required_count, s.signup_date + d.due_days * interval '1 day'
         from saved s cross join milestone_definitions d
         on conflict (customer_id, milestone_key) do update set due_at = excluded.due_at
           where success_milestones.due_at is distinct from excluded.due_at
       ),
       logged as (
         insert into event_log (type, customer_id, payload, occurred_at)
         select 'customer.updated', id, jsonb_build_object('created', created), $2 from saved
       )
       select id, created from saved`,
      [payload, options.now],
    );
    return {
      created: rows.filter((r) => r.created).map((r) => r.id),
      updated: rows.filter((r) => !r.created).map((r) => r.id),
    };
  }).catch((error) => {
    // Two requests giving one external id to different customers at once.
    if (pgErrorCode(error) !== PgCode.UNIQUE_VIOLATION) throw error;
    throw new EngineError(
      "CUSTOMER_EXTERNAL_ID_TAKEN",
      "An external id in this batch was just given to another customer; retry to see which",
      { cause: error },
    );
  });
}

/** Where item `i`'s `field` is in the request body, for error paths. */
export type ItemPath = (i: number, field: string) => string;

const batchItemPath: ItemPath = (i, field) => `customers[${i}].${field}`;

/** Customer `id` locked for update until the transaction ends, or null if there is none. */
export async function lockCustomerForUpdate(tx: Queryable, id: string): Promise<Customer | null> {
  const [row] = await tx.query<CustomerRow>(
    `select ${CUSTOMER_COLUMNS} from customers where id = $1 for update`,
    [id],
  );
  return row ? toCustomer(await openCustomerFields(row)) : null;
}

/** One customer, or CUSTOMER_NOT_FOUND. */
export async function getCustomer(db: Queryable, id: string): Promise<Customer> {
  const rows = await db.query<CustomerRow>(
    `select ${CUSTOMER_COLUMNS} from customers where id = $1`,
    [id],
  );
  const row = rows[0];
  if (!row) throw customerNotFound(id);
  return toCustomer(await openCustomerFields(row));
}

/** The customers whose email attribute is `email` (case-insensitive), by id; found by blind index. */
export async function findCustomersByEmail(db: Queryable, email: string): Promise<Customer[]> {
  const rows = await db.query<CustomerRow>(
    `select ${CUSTOMER_COLUMNS} from customers where email_index = any($1::text[]) order by id`,
    [await emailIndexes(email)],
  );
  return await readCustomers(rows);
}

/** Rows of CUSTOMER_COLUMNS (or customerColumns()) as customers, decrypted as a batch. */
export async function readCustomers(rows: readonly CustomerRow[]): Promise<Customer[]> {
  return (await openCustomerRows(rows)).map(toCustomer);
}

/** Throws CUSTOMER_NOT_FOUND unless the customer exists. */
export async function assertCustomerExists(db: Queryable, id: string): Promise<void> {
  const rows = await db.query("select 1 from customers where id = $1", [id]);
  if (rows.length === 0) throw customerNotFound(id);
}

/**
 * Keeps the named customers from being deleted until the transaction ends,
 * as a foreign key from their events would, and returns the ids among `ids`
 * that name no customer.
 *
 * A foreign key (or `for key share`) locks each customer's row, and a row
 * lock writes the row's page: for a batch of 1,000 events on as many
 * customers that was a third of the batch's database time, and after every
 * checkpoint a full-page image per customer (7 MB of WAL per batch, measured
 * in bench/README.md). Instead ingestion holds one shared advisory lock and
 * checks existence after taking it; whatever deletes customers takes the
 * same lock exclusively first (lockCustomerDeletion), so a deletion waits for
 * the batches in flight, and batches after it find the customer gone.
 */
export async function lockCustomers(tx: Queryable, ids: readonly string[]): Promise<Set<string>> {
  const unique = [...new Set(ids)];
  // A statement of its own: the check below must see deletions committed while this waited.
  await tx.query(`select pg_advisory_xact_lock_shared(hashtext('${DELETION_LOCK}'))`, [], PREPARED);
  const rows = await tx.query<{ id: string }>(
    "select id from customers where id = any($1::text[])",
    [unique],
    PREPARED,
  );
  const known = new Set(rows.map((r) => r.id));
  return new Set(unique.filter((id) => !known.has(id)));
}

/**
 * Takes the customer-deletion lock in `tx`: call it before deleting customers.
 * It waits for event batches in flight and holds new ones until `tx` ends, so
 * no event is stored for a customer being deleted (see lockCustomers).
 */
export async function lockCustomerDeletion(tx: Queryable): Promise<void> {
  await tx.query(`select pg_advisory_xact_lock(hashtext('${DELETION_LOCK}'))`);
}

const DELETION_LOCK = "customers:deletion";

/** The CUSTOMER_NOT_FOUND error for customer `id`, saying how to create it. */
export function customerNotFound(id: string): EngineError {
  return new EngineError(
    "CUSTOMER_NOT_FOUND",
    `No customer "${id}": create it with PUT /api/v1/customers/${encodeURIComponent(id)}`,
  );
}

function assertUniqueIds(customers: readonly CustomerRecord[], itemPath: ItemPath): void {
  const seen = new Map<string, number>();
  const issues = [];
  for (const [i, c] of customers.entries()) {
    const first = seen.get(c.id);
    if (first !== undefined) {
      issues.push({
        path: itemPath(i, "id"),
        message: `"${c.id}" also appears at ${itemPath(first, "id")}; send each customer once`,
      });
    } else seen.set(c.id, i);
  }
  if (issues.length > 0) {
    throw new EngineError("VALIDATION_FAILED", `The batch names a customer twice`, { issues });
  }
}

async function assertExternalIdsFree(
  tx: Queryable,
  customers: readonly CustomerRecord[],
  itemPath: ItemPath,
): Promise<void> {
  const pairs = customers.flatMap((c, i) =>
    c.externalId ? [{ i, id: c.id, ext: c.externalId }] : []
  );
  if (pairs.length === 0) return;
  const issues = [];
  const inBatch = new Map<string, number>();
  for (const p of pairs) {
    const other = inBatch.get(p.ext);
    if (other !== undefined) {
      issues.push({
        path: itemPath(p.i, "externalId"),
        message: `external id "${p.ext}" is also given to ${itemPath(other, "externalId")}`,
      });
    } else inBatch.set(p.ext, p.i);
  }
  const rows = await tx.query<{ id: string; external_id: string }>(
    "select id, external_id from customers where external_id = any($1::text[]) for update",
    [pairs.map((p) => p.ext)],
  );
  const owner = new Map(rows.map((r) => [r.external_id, r.id]));
  for (const p of pairs) {
    const holder = owner.get(p.ext);
    if (holder !== undefined && holder !== p.id) {
      issues.push({
        path: itemPath(p.i, "externalId"),
        message: `external id "${p.ext}" already belongs to customer "${holder}"`,
      });
    }
  }
  if (issues.length > 0) {
    throw new EngineError("CUSTOMER_EXTERNAL_ID_TAKEN", "External ids must be unique", { issues });
  }
}

/** A customer as the API shows it, from its row once decrypted (readCustomers does both). */
export function toCustomer(row: CustomerRow): Customer {
  return {
    id: row.id,
    externalId: row.external_id,
    name: row.name,
    vendorType: row.vendor_type,
    plan: row.plan,
    mrr: row.mrr,
    currency: row.currency,
    country: row.country,
    timeZone: row.time_zone,
    signupDate: row.signup_date,
    churnedAt: row.churned_at?.toISOString() ?? null,
    attributes: row.attributes,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
