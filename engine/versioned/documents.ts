/** Reading documents of a kind: one by id, whether one exists, and pages of them in id order. */
import type { Queryable } from "../db/mod.ts";
import { notFound } from "./errors.ts";
import type { VersionedDocument, VersionedKind, VersionSnapshot } from "./kind.ts";

/** The document `id`, or the kind's NOT_FOUND. */
export async function readDocument<R, V extends VersionedDocument, S extends VersionSnapshot>(
  db: Queryable,
  kind: VersionedKind<R, V, S>,
  id: string,
): Promise<V> {
  const [row] = await db.query<R>(`${kind.select} where ${kind.alias}.id = $1`, [id]);
  if (!row) throw notFound(kind, id);
  return kind.toView(row);
}

/** The kind's NOT_FOUND unless document `id` exists (without reading it). */
export async function assertExists<R, V extends VersionedDocument, S extends VersionSnapshot>(
  db: Queryable,
  kind: VersionedKind<R, V, S>,
  id: string,
): Promise<void> {
  const rows = await db.query(`select 1 from ${kind.table} where id = $1`, [id]);
  if (rows.length === 0) throw notFound(kind, id);
}

/** Which page of documents to list. */
export interface DocumentPageOptions {
  limit: number;
  /** The id of the last document of the page before. */
  cursor?: string | undefined;
  status?: string | undefined;
  /** The value of the kind's own filter (a tag, a channel); undefined: no filter. */
  filterValue?: string | undefined;
}

/**
 * A page of documents in id order, optionally of one status and passing
 * `filter` (SQL on `$3`, the filter value). One row more than the page is
 * read: there is a next page when it comes back.
 */
export async function listDocuments<R, V extends VersionedDocument, S extends VersionSnapshot>(
  db: Queryable,
  kind: VersionedKind<R, V, S>,
  filter: string,
  options: DocumentPageOptions,
): Promise<{ items: V[]; nextCursor: string | null }> {
  const a = kind.alias;
  const rows = await db.query<R>(
    `${kind.select}
     where ($1::text is null or ${a}.id > $1) and ($2::text is null or ${a}.status = $2)
       and ($3::text is null or ${filter})
     order by ${a}.id limit $4`,
    [
      options.cursor ?? null,
      options.status ?? null,
      options.filterValue ?? null,
      options.limit + 1,
    ],
  );
  const items = rows.slice(0, options.limit).map((row) => kind.toView(row));
  return {
    items,
    nextCursor: rows.length > options.limit ? items.at(-1)?.id ?? null : null,
  };
}
