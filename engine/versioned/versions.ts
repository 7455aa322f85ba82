/**
 * Published versions: written once (the database refuses to change them),
 * numbered from 1, and read back newest first as a document's history.
 */
import type { Queryable } from "../db/mod.ts";
import { auditAfter } from "./audit.ts";
import { assertExists } from "./documents.ts";
import { versionNotFound } from "./errors.ts";
import type {
  DocumentChange,
  Version,
  VersionedDocument,
  VersionedKind,
  VersionSnapshot,
} from "./kind.ts";

/** What publishing does besides writing the version. */
export interface PublishOptions<V> {
  /** The version this one restores (a rollback); null for a draft published. */
  restoredFrom: number | null;
  /** What the audit entry shows after the change (default: the document). */
  audited?: (after: V, version: number) => unknown;
}

/**
 * Publishes `snapshot` as the next version of `document` (locked by the
 * caller's transaction): the version row, the document pointing at it with
 * its draft gone, and the audit entry (`<subject>.published`, or
 * `<subject>.rolled_back` for a rollback).
 */
export async function publishVersion<R, V extends VersionedDocument, S extends VersionSnapshot>(
  tx: Queryable,
  kind: VersionedKind<R, V, S>,
  document: V,
  snapshot: S,
  change: DocumentChange,
  options: PublishOptions<V>,
): Promise<V> {
  const { table, key, columns } = kind.versions;
  const [top] = await tx.query<{ max: number | null }>(
    `select max(version) as max from ${table} where ${key} = $1`,
    [document.id],
  );
  const next = (top?.max ?? 0) + 1;
  const params = [
    document.id,
    next,
    ...columns.map((column) => snapshot[column]),
    change.now,
    change.actor,
    options.restoredFrom,
    change.reason ?? null,
  ];
  await tx.query(
    `insert into ${table} (${key}, version, ${columns.join(", ")}, published_at, published_by,
       restored_from, reason)
     values (${params.map((_, i) => `$${i + 1}`).join(", ")})`,
    params,
  );
  const resets = kind.publishResets.map((assignment) => `, ${assignment}`).join("");
  await tx.query(
    `update ${kind.table} set status = 'published', published_version = $2, draft = null${resets},
       revision = revision + 1, updated_at = $3, updated_by = $4
     where id = $1`,
    [document.id, next, change.now, change.actor],
  );
  const action = options.restoredFrom === null ? "published" : "rolled_back";
  const shown = options.audited;
  return await auditAfter(
    tx,
    kind,
    change,
    action,
    document.id,
    document,
    shown ? (after) => shown(after, next) : undefined,
  );
}

/** The published versions of document `id`, newest first; the kind's NOT_FOUND if there is none. */
export async function listVersions<R, V extends VersionedDocument, S extends VersionSnapshot>(
  db: Queryable,
  kind: VersionedKind<R, V, S>,
  id: string,
): Promise<Version<S>[]> {
  await assertExists(db, kind, id);
  const rows = await db.query<VersionRow<S>>(
    `${selectVersions(kind)} where ${kind.versions.key} = $1 order by version desc`,
    [id],
  );
  return rows.map(toVersion);
}

/** Version `version` of document `id`; the kind's VERSION_NOT_FOUND if there is no such version. */
export async function readVersion<R, V extends VersionedDocument, S extends VersionSnapshot>(
  db: Queryable,
  kind: VersionedKind<R, V, S>,
  id: string,
  version: number,
): Promise<Version<S>> {
  const [row] = await db.query<VersionRow<S>>(
    `${selectVersions(kind)} where ${kind.versions.key} = $1 and version = $2`,
    [id, version],
  );
  if (!row) throw versionNotFound(kind, id, version);
  return toVersion(row);
}

type VersionRow<S extends VersionSnapshot> = S & {
  version: number;
  published_at: Date;
  published_by: string;
  restored_from: number | null;
  reason: string | null;
};

function selectVersions<R, V extends VersionedDocument, S extends VersionSnapshot>(
  kind: VersionedKind<R, V, S>,
): string {
  return `select version, ${kind.versions.columns.join(", ")}, published_at, published_by,
    restored_from, reason
  from ${kind.versions.table}`;
}

function toVersion<S extends VersionSnapshot>(row: VersionRow<S>): Version<S> {
  // The rest is the snapshot's columns, in the order they were selected. It is
  // an S (S has none of the other columns), which TypeScript cannot prove for
  // a generic S.
  const { version, published_at, published_by, restored_from, reason, ...snapshot } = row;
  return {
    version,
    ...snapshot as unknown as S,
    publishedAt: published_at.toISOString(),
    publishedBy: published_by,
    restoredFrom: restored_from,
    reason,
  };
}
