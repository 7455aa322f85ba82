/**
 * A kind of versioned document. Rules and intervention templates live the
 * same life (a draft is edited, published as numbered versions, rolled back
 * to an earlier one, archived), each in a table of documents and a table of
 * versions. A kind names those tables, the error codes and the words its
 * messages use; the steps in this folder do the rest, so both kinds keep the
 * same rules for revisions, versions and audit entries.
 */
import type { ChangeContext } from "../access/mod.ts";
import type { ErrorCode } from "../errors.ts";

/** What every versioned document shows, whatever its kind. */
export interface VersionedDocument {
  id: string;
  status: "draft" | "published" | "archived";
  /** The published version; null before the first publish. */
  version: number | null;
  /** The definition being edited; null when there is no draft. */
  draft: unknown;
  /** Bumped by every change; the ETag is derived from it. */
  revision: number;
}

/** Who changes a document, when, which request, and why. */
export type DocumentChange = ChangeContext & { reason?: string | null };

/**
 * What a published version copies from its document, column by column: the
 * definition and the name, and what else the kind keeps per version.
 */
export interface VersionSnapshot {
  definition: unknown;
  name: string;
}

/** A published version: its number, its snapshot, who published it and why. */
export type Version<S extends VersionSnapshot> = { version: number } & S & {
  publishedAt: string;
  publishedBy: string;
  /** The version this one restored, for a rollback. */
  restoredFrom: number | null;
  reason: string | null;
};

/** How messages name a kind and which codes its errors carry. */
export interface KindNames {
  /** Lower case, singular: the audit subject type and action prefix (`rule.published`). */
  subject: string;
  /** Where the API lists them (`/api/v1/rules`): messages point there. */
  path: string;
  /** What a published version is for, as a verb: a rule is "run", a template "sent". */
  use: string;
  codes: {
    notFound: ErrorCode;
    versionNotFound: ErrorCode;
    exists: ErrorCode;
    archived: ErrorCode;
    nothingToPublish: ErrorCode;
  };
}

/**
 * A kind with its tables. `R` is a row of `select`, `V` the document it
 * shows, `S` what a version copies (its columns are named as in `S`).
 */
export interface VersionedKind<R, V extends VersionedDocument, S extends VersionSnapshot>
  extends KindNames {
  /** The documents' table: one row per document, `id` its key. */
  table: string;
  /** Selects documents as rows of `R`; `alias` names the documents' table in it. */
  select: string;
  alias: string;
  toView(row: R): V;
  versions: {
    table: string;
    /** The column naming the document. */
    key: string;
    /** The columns of `S`, in the order responses show them. */
    columns: readonly (keyof S & string)[];
  };
  /** What publishing resets besides the draft (SQL assignments on the documents' table). */
  publishResets: readonly string[];
}
