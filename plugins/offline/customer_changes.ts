/**
 * Applying pushed customer changes, in the push's transaction. Conflicts are
 * found by version: a change names the version it was made on (its base),
 * and is applied only if the customer still is at that version, checked
 * under the row lock so two pushes from one base cannot both win. Changes of
 * one customer in one batch apply in order on the same base: a client sends
 * the edits it queued on one version together, each building on the last.
 */
import type { Db, Queryable } from "../../engine/db/mod.ts";
import { formatPath } from "../../engine/errors.ts";
import {
  type Customer,
  customerColumns,
  type CustomerRecord,
  customerRecordSchema,
  type CustomerRow,
  readCustomers,
  upsertCustomers,
} from "../../engine/signals/mod.ts";
import { type FinalAnswer, rejected, type VersionedCustomer } from "./answers.ts";
import type { ValidItem } from "./push_items.ts";
import { customerVersion, sameVersion } from "./version.ts";

/** A customer change to apply, with its place in the batch. */
export interface CustomerChange {
  index: number;
  change: Extract<ValidItem, { kind: "customer" }>;
}

/**
 * Applies `changes` (their customers exist and are the caller's) in batch
 * order; one write for all customers changed. Returns each change's answer
 * by index.
 */
export async function applyCustomerChanges(
  txDb: Db,
  changes: readonly CustomerChange[],
  { now }: { now: Date },
): Promise<Map<number, FinalAnswer>> {
  const answers = new Map<number, FinalAnswer>();
  if (changes.length === 0) return answers;
  const locked = await lockForUpdate(txDb, changes.map((c) => c.change.customerId));
  const bases = new Map<string, string>();
  for (const [id, customer] of locked) bases.set(id, await customerVersion(customer));
  const records = new Map<string, CustomerRecord>();
  const outcomes: Array<{ index: number; customerId: string; applied: boolean }> = [];
  for (const { index, change } of changes) {
    const id = change.customerId;
    const current = locked.get(id);
    if (!current) {
      // Checked before, under the customer-deletion lock; kept for a clear answer all the same.
      answers.set(index, rejected(`items[${index}].customerId`, `no customer "${id}"`));
      continue;
    }
    if (!sameVersion(change.baseVersion, bases.get(id)!)) {
      outcomes.push({ index, customerId: id, applied: false });
      continue;
    }
    const next = customerRecordSchema.safeParse({
      ...(records.get(id) ?? recordOf(current)),
      ...change.set,
    });
    if (!next.success) {
      // The fields were checked one by one; this catches what only the whole record shows.
      answers.set(index, {
        status: "rejected",
        errors: next.error.issues.map((issue) => ({
          path: formatPath(["items", index, "set", ...issue.path]),
          message: issue.message,
        })),
      });
      continue;
    }
    records.set(id, next.data);
    outcomes.push({ index, customerId: id, applied: true });
  }
  if (records.size > 0) await upsertCustomers(txDb, [...records.values()], { now });
  const after = await currentCustomers(txDb, [...new Set(outcomes.map((o) => o.customerId))]);
  for (const { index, customerId, applied } of outcomes) {
    const current = after.get(customerId)!;
    answers.set(
      index,
      applied ? { status: "accepted", kind: "customer", current } : {
        status: "conflict",
        kind: "customer",
        message: `Customer "${customerId}" changed since the version this change was made on; ` +
          "merge it into `current` and push it again, with a new key, on current.version",
        current,
      },
    );
  }
  return answers;
}

/** The customers, locked for update until the transaction ends (in id order: no deadlocks). */
async function lockForUpdate(
  tx: Queryable,
  ids: readonly string[],
): Promise<Map<string, Customer>> {
  const rows = await tx.query<CustomerRow>(
    `select ${customerColumns("c")} from customers c where c.id = any($1::text[])
     order by c.id for update`,
    [[...new Set(ids)]],
  );
  return new Map((await readCustomers(rows)).map((c) => [c.id, c]));
}

async function currentCustomers(
  tx: Queryable,
  ids: readonly string[],
): Promise<Map<string, VersionedCustomer>> {
  const rows = await tx.query<CustomerRow>(
    `select ${customerColumns("c")} from customers c where c.id = any($1::text[])`,
    [ids],
  );
  const out = new Map<string, VersionedCustomer>();
  for (const customer of await readCustomers(rows)) {
    out.set(customer.id, { version: await customerVersion(customer), customer });
  }
  return out;
}

/** The fields of a stored customer, as a record to write back. */
function recordOf(customer: Customer): Record<string, unknown> {
  const { createdAt: _createdAt, updatedAt: _updatedAt, ...record } = customer;
  return record;
}
