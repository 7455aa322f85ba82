/** The audit entry of a change to a document, written in the change's transaction. */
import { appendAudit } from "../audit/mod.ts";
import type { Queryable } from "../db/mod.ts";
import { readDocument } from "./documents.ts";
import type {
  DocumentChange,
  KindNames,
  VersionedDocument,
  VersionedKind,
  VersionSnapshot,
} from "./kind.ts";

/** Appends who changed document `id`, when, in which request, why, and it before and after. */
export async function auditChange(
  tx: Queryable,
  kind: Pick<KindNames, "subject">,
  change: DocumentChange,
  action: string,
  id: string,
  before: unknown,
  after: unknown,
): Promise<void> {
  await appendAudit(tx, {
    at: change.now,
    actor: change.actor,
    action,
    subjectType: kind.subject,
    subjectId: id,
    reason: change.reason ?? null,
    before,
    after,
    requestId: change.requestId ?? null,
  });
}

/**
 * Reads document `id` as a change in this transaction left it, and audits
 * the change as `<subject>.<action>` from `before` to it (or to what `shown`
 * makes of it); returns it.
 */
export async function auditAfter<R, V extends VersionedDocument, S extends VersionSnapshot>(
  tx: Queryable,
  kind: VersionedKind<R, V, S>,
  change: DocumentChange,
  action: string,
  id: string,
  before: V | null,
  shown: (after: V) => unknown = (after) => after,
): Promise<V> {
  const after = await readDocument(tx, kind, id);
  await auditChange(tx, kind, change, `${kind.subject}.${action}`, id, before, shown(after));
  return after;
}
