/**
 * Customer snapshots: what a client needs to show a customer without the
 * history before its cursor: the customer's fields and version, its latest
 * health score, and its milestones. Read in batches (one statement per kind
 * for a whole page), never one customer at a time.
 */
import { PREPARED, type Queryable } from "../../engine/db/mod.ts";
import { getCustomersHealthJson } from "../../engine/health/mod.ts";
import {
  type Customer,
  customerColumns,
  type CustomerRow,
  readCustomers,
} from "../../engine/signals/mod.ts";
import { customerVersion } from "./version.ts";

/** A milestone as a snapshot shows it. */
export interface MilestoneState {
  key: string;
  name: string;
  achieved: boolean;
  achievedAt: string | null;
  progress: number;
  target: number;
  dueAt: string | null;
}

/** The customer's latest health scoring and its trend; null before the first. */
export type HealthState = Record<string, unknown> | null;

/** One customer, as a client rebuilds its view from it. */
export interface CustomerSnapshot {
  /** Send it back as `baseVersion` when pushing a change of this customer. */
  version: string;
  customer: Customer;
  health: HealthState;
  milestones: MilestoneState[];
}

const COLUMNS = customerColumns("c");

/** A page of the customers in scope ("all", or these ids), by id after `after`. */
export async function snapshotPage(
  db: Queryable,
  options: { after: string; customers: readonly string[] | "all"; limit: number },
): Promise<{ snapshots: CustomerSnapshot[]; more: boolean }> {
  const all = options.customers === "all";
  const rows = await db.query<CustomerRow>(
    `select ${COLUMNS} from customers c
     where c.id > $1 and ($2::boolean or c.id = any($3::text[]))
     order by c.id limit $4`,
    [options.after, all, all ? [] : options.customers, options.limit + 1],
    PREPARED,
  );
  const page = await readCustomers(rows.slice(0, options.limit));
  return { snapshots: await snapshotsOf(db, page), more: rows.length > options.limit };
}

/** Snapshots of the customers among `ids` that exist, in the order of `ids`. */
export async function readSnapshots(
  db: Queryable,
  ids: readonly string[],
): Promise<CustomerSnapshot[]> {
  if (ids.length === 0) return [];
  const rows = await db.query<CustomerRow>(
    `select ${COLUMNS} from customers c where c.id = any($1::text[])`,
    [[...new Set(ids)]],
  );
  const byId = new Map((await readCustomers(rows)).map((c) => [c.id, c]));
  const found = [...new Set(ids)].flatMap((id) => byId.get(id) ?? []);
  return await snapshotsOf(db, found);
}

async function snapshotsOf(
  db: Queryable,
  customers: readonly Customer[],
): Promise<CustomerSnapshot[]> {
  if (customers.length === 0) return [];
  const ids = customers.map((c) => c.id);
  // One after the other: `db` may be a transaction, which takes one statement at a time.
  const health = await getCustomersHealthJson(db, ids, { historyDays: 0 });
  const milestones = await milestonesOf(db, ids);
  return await Promise.all(customers.map(async (customer) => ({
    version: await customerVersion(customer),
    customer,
    health: healthOf(health.get(customer.id)),
    milestones: milestones.get(customer.id) ?? [],
  })));
}

/** The latest scoring with its trend, from the health module's JSON (its history is left out). */
function healthOf(json: string | undefined): HealthState {
  if (json === undefined) return null;
  const health = JSON.parse(json) as { latest: Record<string, unknown> | null; trend: unknown };
  return health.latest === null ? null : { ...health.latest, trend: health.trend };
}

/**
 * Milestones of many customers in one statement. The signals module reads
 * one customer's at a time (getCustomerMilestones); a page of snapshots
 * needs them all at once, so this reads the same rows for a batch.
 */
async function milestonesOf(
  db: Queryable,
  ids: readonly string[],
): Promise<Map<string, MilestoneState[]>> {
  const rows = await db.query<{
    customer_id: string;
    key: string;
    name: string;
    achieved: boolean;
    achieved_at: Date | null;
    progress: number;
    target: number;
    due_at: Date | null;
  }>(
    `select m.customer_id, d.key, d.name, m.achieved, m.achieved_at, m.progress, m.target, m.due_at
     from success_milestones m join milestone_definitions d on d.key = m.milestone_key
     where m.customer_id = any($1::text[])
     order by m.customer_id, d.position, d.key`,
    [ids],
  );
  const byCustomer = new Map<string, MilestoneState[]>();
  for (const r of rows) {
    const list = byCustomer.get(r.customer_id) ?? [];
    list.push({
      key: r.key,
      name: r.name,
      achieved: r.achieved,
      achievedAt: r.achieved_at?.toISOString() ?? null,
      progress: r.progress,
      target: r.target,
      dueAt: r.due_at?.toISOString() ?? null,
    });
    byCustomer.set(r.customer_id, list);
  }
  return byCustomer;
}
