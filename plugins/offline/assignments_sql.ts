/**
 * The customers assigned to callers (`offline_callers`, `offline_assignments`):
 * reading a caller's, what changed since a revision, and replacing them.
 */
import type { Queryable } from "../../engine/db/mod.ts";

/** A caller's assigned customers and the revision they are at. */
export interface Assignments {
  caller: string;
  customerIds: string[];
  /** 0 for a caller never assigned anything. */
  revision: number;
}

/** What changed for a caller after a revision. */
export interface ScopeChanges {
  /** Assigned now, and not at that revision (or assigned again since). */
  added: string[];
  /** Taken away since that revision. */
  removed: string[];
}

/** The customers assigned to `caller`, by id. */
export async function readAssignments(db: Queryable, caller: string): Promise<Assignments> {
  const [row] = await db.query<{ revision: number; customer_ids: string[] }>(
    `select c.revision::int as revision,
       coalesce(array_agg(a.customer_id order by a.customer_id)
         filter (where a.customer_id is not null), '{}') as customer_ids
     from offline_callers c
     left join offline_assignments a on a.caller = c.caller and a.removed_revision is null
     where c.caller = $1
     group by c.revision`,
    [caller],
  );
  return { caller, customerIds: row?.customer_ids ?? [], revision: row?.revision ?? 0 };
}

/** Every caller with assignments, by key. */
export async function listAssignments(db: Queryable): Promise<Assignments[]> {
  const rows = await db.query<{ caller: string; revision: number; customer_ids: string[] }>(
    `select c.caller, c.revision::int as revision,
       coalesce(array_agg(a.customer_id order by a.customer_id)
         filter (where a.customer_id is not null), '{}') as customer_ids
     from offline_callers c
     left join offline_assignments a on a.caller = c.caller and a.removed_revision is null
     group by c.caller, c.revision
     order by c.caller`,
  );
  return rows.map((r) => ({ caller: r.caller, customerIds: r.customer_ids, revision: r.revision }));
}

/** The customers a caller gained and lost after `revision`. */
export async function scopeChangesSince(
  db: Queryable,
  { caller, revision }: { caller: string; revision: number },
): Promise<ScopeChanges> {
  const rows = await db.query<{ customer_id: string; removed: boolean }>(
    `select customer_id, removed_revision is not null as removed from offline_assignments
     where caller = $1 and (removed_revision > $2 or (removed_revision is null and added_revision > $2))
     order by customer_id`,
    [caller, revision],
  );
  return {
    added: rows.filter((r) => !r.removed).map((r) => r.customer_id),
    removed: rows.filter((r) => r.removed).map((r) => r.customer_id),
  };
}

/**
 * Makes `change.customerIds` the caller's assignments, in the caller's transaction;
 * the caller's row is locked first, so two replacements apply one after the
 * other. Nothing is written when the set does not change.
 */
export async function replaceAssignments(
  tx: Queryable,
  caller: string,
  change: { customerIds: readonly string[]; at: Date; by: string },
): Promise<{ before: Assignments; after: Assignments }> {
  await tx.query("select 1 from offline_callers where caller = $1 for update", [caller]);
  const before = await readAssignments(tx, caller);
  const wanted = [...new Set(change.customerIds)].sort();
  if (sameIds(before.customerIds, wanted)) return { before, after: before };
  const [bumped] = await tx.query<{ revision: number }>(
    `insert into offline_callers (caller, revision, updated_at, updated_by) values ($1, 1, $2, $3)
     on conflict (caller) do update set revision = offline_callers.revision + 1,
       updated_at = excluded.updated_at, updated_by = excluded.updated_by
     returning revision::int as revision`,
    [caller, change.at, change.by],
  );
  const revision = bumped!.revision;
  await tx.query(
    `update offline_assignments set removed_revision = $3
     where caller = $1 and removed_revision is null and customer_id <> all($2::text[])`,
    [caller, wanted, revision],
  );
  await tx.query(
    `insert into offline_assignments (caller, customer_id, added_revision)
     select $1, id, $3 from unnest($2::text[]) as id
     on conflict (caller, customer_id) do update
       set added_revision = excluded.added_revision, removed_revision = null
       where offline_assignments.removed_revision is not null`,
    [caller, wanted, revision],
  );
  return { before, after: { caller, customerIds: wanted, revision } };
}

// As sets: SQL sorts by the database's collation, JavaScript by code unit.
function sameIds(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return a.length === b.length && b.every((id) => set.has(id));
}
