/**
 * Optimistic concurrency: every change names the revision its author read
 * (If-Match carries it as the ETag), so a stale edit or publish conflicts
 * instead of overwriting someone else's work.
 */
import type { Queryable } from "../db/mod.ts";
import { EngineError } from "../errors.ts";
import { readDocument } from "./documents.ts";
import { capitalized } from "./errors.ts";
import type { VersionedDocument, VersionedKind, VersionSnapshot } from "./kind.ts";

/** The ETag of a document at its revision. */
export function etagOf(document: { id: string; revision: number }): string {
  return `"${document.id}.${document.revision}"`;
}

/**
 * Locks document `id` for this transaction and checks the caller read its
 * current revision: ETAG_MISMATCH (with the current ETag) otherwise.
 */
export async function lockRevision<R, V extends VersionedDocument, S extends VersionSnapshot>(
  tx: Queryable,
  kind: VersionedKind<R, V, S>,
  id: string,
  ifRevision: number,
): Promise<V> {
  await tx.query(`select 1 from ${kind.table} where id = $1 for update`, [id]);
  const document = await readDocument(tx, kind, id);
  if (document.revision !== ifRevision) {
    throw new EngineError(
      "ETAG_MISMATCH",
      `${capitalized(kind)} "${id}" changed since you read it (revision ${document.revision}, ` +
        `you sent ${ifRevision}); someone else edited or published it. Read it again, apply ` +
        "your change to what is there, and send the new ETag",
      { headers: { ETag: etagOf(document) } },
    );
  }
  return document;
}
