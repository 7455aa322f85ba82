/**
 * Tombstones: what a completed deletion leaves so the person cannot come
 * back. Customer upserts, event ingestion, imports and offline pushes ask
 * here and refuse an erased customer with CUSTOMER_ERASED (410).
 */
import type { Queryable } from "../db/mod.ts";
import { EngineError } from "../errors.ts";
import { type DigestKind, personDigest } from "./tombstone_digest.ts";

/** The values among `values` (customer ids or external ids) a deletion erased. */
export async function erasedAmong(
  db: Queryable,
  kind: DigestKind,
  values: readonly string[],
): Promise<Set<string>> {
  const unique = [...new Set(values)];
  if (unique.length === 0) return new Set();
  const digests = await Promise.all(unique.map((v) => personDigest(kind, v)));
  const rows = await db.query<{ digest: string }>(
    "select digest from privacy_tombstones where kind = $1 and digest = any($2::text[])",
    [kind, digests],
  );
  const erased = new Set(rows.map((r) => r.digest));
  return new Set(unique.filter((_, i) => erased.has(digests[i]!)));
}

/** Throws CUSTOMER_ERASED when a customer id or external id among these was erased. */
export async function assertNotErased(
  db: Queryable,
  customers: readonly { id: string; externalId?: string | null | undefined }[],
): Promise<void> {
  const ids = await erasedAmong(db, "customer_id", customers.map((c) => c.id));
  const externals = await erasedAmong(
    db,
    "external_id",
    customers.flatMap((c) => c.externalId ? [c.externalId] : []),
  );
  const erased = [
    ...[...ids].map((id) => `customer "${id}"`),
    ...[...externals].map((ext) => `external id "${ext}"`),
  ];
  if (erased.length > 0) throw customerErased(erased);
}

/** The CUSTOMER_ERASED error for what was named (`customer "x"`, `external id "y"`). */
export function customerErased(named: readonly string[]): EngineError {
  return new EngineError(
    "CUSTOMER_ERASED",
    `${named.slice(0, 5).join(", ")}${named.length > 5 ? ", …" : ""} ` +
      `${named.length === 1 ? "was" : "were"} erased by a privacy deletion request and cannot ` +
      "be stored again; remove them from the data you send (a new customer needs a new id)",
  );
}
