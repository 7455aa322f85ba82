/**
 * The life of a versioned document, each step one transaction with its
 * audit entry: created as a draft, the draft edited, published (what the
 * kind validates and how it snapshots a version stays with the kind),
 * rolled back to an earlier version, archived. Every step after creation
 * locks the document at the revision its author read.
 */
import type { Db, Queryable } from "../db/mod.ts";
import { auditAfter } from "./audit.ts";
import { archived, exists, nothingToPublish } from "./errors.ts";
import type { DocumentChange, VersionedDocument, VersionedKind, VersionSnapshot } from "./kind.ts";
import { lockRevision } from "./revision.ts";
import { readVersion } from "./versions.ts";

/** A parameterized statement. */
export interface Statement {
  sql: string;
  params: readonly unknown[];
}

/**
 * Creates document `id` with `insert`, which must end in `on conflict (id)
 * do nothing returning id`: the kind's EXISTS when the id is taken.
 */
export async function createDocument<R, V extends VersionedDocument, S extends VersionSnapshot>(
  db: Db,
  kind: VersionedKind<R, V, S>,
  id: string,
  insert: Statement,
  change: DocumentChange,
): Promise<V> {
  return await db.transaction(async (tx) => {
    const inserted = await tx.query<{ id: string }>(insert.sql, insert.params);
    if (inserted.length === 0) throw exists(kind, id);
    return await auditAfter(tx, kind, change, "created", id, null);
  });
}

/**
 * Edits the draft of document `id` with `write` (the kind's statements); an
 * archived document can no longer be edited.
 */
export async function editDraft<R, V extends VersionedDocument, S extends VersionSnapshot>(
  db: Db,
  kind: VersionedKind<R, V, S>,
  id: string,
  ifRevision: number,
  change: DocumentChange,
  write: (tx: Queryable, before: V) => Promise<void>,
): Promise<V> {
  return await db.transaction(async (tx) => {
    const before = await lockRevision(tx, kind, id, ifRevision);
    if (before.status === "archived") throw archived(kind, id);
    await write(tx, before);
    return await auditAfter(tx, kind, change, "edited", id, before);
  });
}

/**
 * Publishes the draft of document `id` with `publish` (which validates it
 * again and calls publishVersion): the kind's ARCHIVED for an archived
 * document, its NOTHING_TO_PUBLISH when there is no draft.
 */
export async function publishDraft<R, V extends VersionedDocument, S extends VersionSnapshot>(
  db: Db,
  kind: VersionedKind<R, V, S>,
  id: string,
  ifRevision: number,
  publish: (tx: Queryable, before: V, draft: NonNullable<V["draft"]>) => Promise<V>,
): Promise<V> {
  return await db.transaction(async (tx) => {
    const before = await lockRevision(tx, kind, id, ifRevision);
    if (before.status === "archived") throw archived(kind, id);
    const draft = before.draft;
    if (draft === null || draft === undefined) throw nothingToPublish(kind, id, before.version);
    return await publish(tx, before, draft);
  });
}

/**
 * Publishes version `toVersion`'s definition again with `publish` (as
 * publishDraft does), also for an archived document: the kind's
 * VERSION_NOT_FOUND when there is no such version.
 */
export async function rollbackDocument<R, V extends VersionedDocument, S extends VersionSnapshot>(
  db: Db,
  kind: VersionedKind<R, V, S>,
  id: string,
  toVersion: number,
  ifRevision: number,
  publish: (tx: Queryable, before: V, definition: S["definition"]) => Promise<V>,
): Promise<V> {
  return await db.transaction(async (tx) => {
    const before = await lockRevision(tx, kind, id, ifRevision);
    const old = await readVersion(tx, kind, id, toVersion);
    return await publish(tx, before, old.definition);
  });
}

/**
 * Archives document `id`: nothing of it is used any more; its history
 * stays. `also` runs what else archiving changes, before the audit entry.
 * Archiving an archived document changes nothing.
 */
export async function archiveDocument<R, V extends VersionedDocument, S extends VersionSnapshot>(
  db: Db,
  kind: VersionedKind<R, V, S>,
  id: string,
  ifRevision: number,
  change: DocumentChange,
  also?: (tx: Queryable) => Promise<void>,
): Promise<V> {
  return await db.transaction(async (tx) => {
    const before = await lockRevision(tx, kind, id, ifRevision);
    if (before.status === "archived") return before;
    await tx.query(
      `update ${kind.table} set status = 'archived', revision = revision + 1, updated_at = $2,
         updated_by = $3 where id = $1`,
      [id, change.now, change.actor],
    );
    await also?.(tx);
    return await auditAfter(tx, kind, change, "archived", id, before);
  });
}
