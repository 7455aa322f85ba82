/**
 * Erasing one customer (a deletion request): the plugins first (through their
 * hooks, while the id still exists), then, in one transaction, every table of
 * customer_tables.ts, the customers row replaced by an anonymous one under a
 * random pseudonym (so signups, churn and cohort counts stay right), a
 * tombstone, the `customer.erased` event and an audit entry that hold only
 * digests and counts.
 *
 * A running evaluation cycle may have read the customer and write for it
 * later: the deletion waits for it (the request stays pending and is tried
 * again on the next tick), so a cycle never brings rows back.
 */
import { appendAudit } from "../audit/mod.ts";
import type { Db, Queryable } from "../db/mod.ts";
import { appendDomainEvents } from "../events/mod.ts";
import { lockCustomerDeletion } from "../signals/mod.ts";
import { customerTables } from "./customer_tables.ts";
import { sealText } from "./encryption/mod.ts";
import type { PersonalDataHolders } from "./personal_data.ts";
import { personDigest } from "./tombstone_digest.ts";

/** What a deletion did, without a personal value: rows per table. */
export interface ErasureResult {
  customerDigest: string;
  pseudonym: string;
  /** Engine tables: rows deleted or pseudonymized. */
  tables: Record<string, { action: "delete" | "pseudonymize"; rows: number }>;
  /** Per plugin, rows erased by table. */
  plugins: Record<string, Record<string, number>>;
}

/** How a deletion ended. */
export type ErasureOutcome =
  | { kind: "erased"; result: ErasureResult }
  | { kind: "waiting"; note: string }
  | { kind: "no_customer"; erasedBefore: boolean };

/** Erases `customerId` for request `requestId`. */
export async function eraseCustomer(
  db: Db,
  holders: PersonalDataHolders,
  request: { requestId: number; customerId: string; actor: string; now: Date },
): Promise<ErasureOutcome> {
  const cycle = await runningCycleId(db);
  if (cycle !== null) return waitingFor(cycle);
  const [known] = await db.query("select 1 from customers where id = $1", [request.customerId]);
  const customerDigest = await personDigest("customer_id", request.customerId);
  if (!known) return { kind: "no_customer", erasedBefore: await tombstoned(db, customerDigest) };
  const pseudonym = `erased_${crypto.randomUUID()}`;
  // Outside the transaction: a plugin may call its downstream systems. Hooks are idempotent,
  // so a deletion that fails after them is simply asked again.
  const plugins = await holders.eraseCustomer(request.customerId, pseudonym);
  return await db.transaction(async (tx) => {
    // Event batches in flight for the customer finish first; later ones find it gone.
    await lockCustomerDeletion(tx);
    // A cycle that starts now waits for this transaction (starting one inserts into cycles),
    // then finds the customer gone; one that started since the check above defers the deletion.
    await tx.exec("lock table cycles in share mode");
    const started = await runningCycleId(tx);
    if (started !== null) return waitingFor(started);
    const [customer] = await tx.query<{ external_id: string | null }>(
      "select external_id from customers where id = $1 for update",
      [request.customerId],
    );
    if (!customer) return { kind: "no_customer", erasedBefore: true } as const;
    await insertAnonymousCustomer(tx, request.customerId, pseudonym, request.now);
    const tables: ErasureResult["tables"] = {};
    for (const table of customerTables) {
      const rows = await tx.query(
        table.erase,
        eraseParams(table.erase, request.customerId, pseudonym),
      );
      tables[table.table] = { action: table.action, rows: rows.length };
    }
    // Whatever still points at the customer by foreign key (a stopped plugin's rows) goes with it.
    await tx.query("delete from customers where id = $1", [request.customerId]);
    tables.customers = { action: "pseudonymize", rows: 1 };
    const result: ErasureResult = { customerDigest, pseudonym, tables, plugins };
    await leaveTombstones(tx, request, customerDigest, customer.external_id);
    await appendDomainEvents(tx, [{
      type: "customer.erased",
      customerId: null,
      payload: { customerDigest, pseudonym, requestId: request.requestId },
      occurredAt: request.now,
    }]);
    await appendAudit(tx, {
      at: request.now,
      actor: request.actor,
      action: "privacy.deletion.completed",
      subjectType: "privacy_request",
      subjectId: String(request.requestId),
      after: result,
    });
    return { kind: "erased", result } as const;
  });
}

async function runningCycleId(db: Queryable): Promise<number | null> {
  const [row] = await db.query<{ id: string | number }>(
    "select id from cycles where status = 'running'",
  );
  return row ? Number(row.id) : null;
}

function waitingFor(cycle: number): ErasureOutcome {
  return {
    kind: "waiting",
    note: `Waiting for evaluation cycle ${cycle} to finish (it may write for this customer); ` +
      "the deletion runs on the next tick after it",
  };
}

async function tombstoned(db: Queryable, digest: string): Promise<boolean> {
  const rows = await db.query("select 1 from privacy_tombstones where digest = $1", [digest]);
  return rows.length > 0;
}

// The statements that only read ($1) must not be sent a second parameter.
function eraseParams(sql: string, customerId: string, pseudonym: string): string[] {
  return sql.includes("$2") ? [customerId, pseudonym] : [customerId];
}

/**
 * The anonymous stand-in: segment, plan, revenue, country, signup and churn
 * dates stay for the reports; name, external id, attributes and time zone go.
 * It counts as churned from the erasure on (if not before), so cycles no
 * longer score it and no new rows are written for it.
 */
async function insertAnonymousCustomer(
  tx: Queryable,
  customerId: string,
  pseudonym: string,
  now: Date,
): Promise<void> {
  await tx.query(
    `insert into customers (id, external_id, name, vendor_type, plan, mrr, currency, country,
       time_zone, signup_date, churned_at, attributes, created_at, updated_at)
     select $2, null, $4, vendor_type, plan, mrr, currency, country, 'UTC',
       signup_date, coalesce(churned_at, $3), '{}', created_at, $3
     from customers where id = $1`,
    // Sealed like any name, so keys:rotate finds nothing in clear (it holds nothing personal).
    [customerId, pseudonym, now, await sealText("name", "customers.name", "Erased customer")],
  );
}

async function leaveTombstones(
  tx: Queryable,
  request: { requestId: number; customerId: string; now: Date },
  customerDigest: string,
  externalId: string | null,
): Promise<void> {
  const stones = [{ digest: customerDigest, kind: "customer_id" }];
  if (externalId) {
    stones.push({ digest: await personDigest("external_id", externalId), kind: "external_id" });
  }
  await tx.query(
    `insert into privacy_tombstones (digest, kind, erased_at, request_id)
     select digest, kind, $2, $3 from json_to_recordset($1::json) as t(digest text, kind text)
     on conflict (digest) do nothing`,
    [stones, request.now, request.requestId],
  );
  // No request keeps the id in clear once the person is erased.
  await tx.query(
    "update privacy_requests set customer_id = null where customer_digest = $1",
    [customerDigest],
  );
}
