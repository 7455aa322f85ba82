/**
 * The one database interface the engine uses, whatever the backend:
 * postgres.js against a PostgreSQL server, or PGlite in a local folder. Both
 * speak the same PostgreSQL dialect; the same SQL runs on both.
 */
import type { CopyBinary } from "./copy_binary.ts";
import type { CopyText } from "./copy_text.ts";

/** A result row, keyed by column name. */
export type Row = Record<string, unknown>;

/** Something SQL can be sent to: the database or an open transaction. */
export interface Queryable {
  /**
   * Runs one parameterized statement (`$1`, `$2`, …) and returns its rows.
   * Pass json/jsonb parameters as plain values (objects, arrays), never as
   * JSON text: both backends serialize them.
   */
  query<T = Row>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<T[]>;
  /** Runs a script of statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/** How a statement is sent. */
export interface QueryOptions {
  /**
   * Prepare it once per connection and reuse the plan (PostgreSQL server
   * only; PGlite ignores it). For the statements a busy engine runs per
   * request with fixed text: unprepared, planning took most of a small
   * read's time (bench/README.md, "API load"). Off by default, so dynamic or
   * one-off SQL does not pile up in every connection's statement cache.
   */
  prepare?: boolean;
}

/** The options of a statement run per request or per event batch. */
export const PREPARED: QueryOptions = { prepare: true };

/** Which backend a Db runs on. */
export type DbBackend = "postgres" | "pglite";

/** A handle that can also bulk-load rows: the Db, or a transaction of it. */
export interface Loadable extends Queryable {
  /**
   * Bulk-loads rows into `table` with COPY, many times faster than INSERT for
   * large loads. Values are in `columns` order; objects are stored as JSON.
   * The load is one statement: all rows or none. `CopyText` passes lines
   * already encoded, `CopyBinary` rows in the binary format.
   */
  copyRows(
    table: string,
    columns: readonly string[],
    rows: Iterable<readonly unknown[]> | CopyText | CopyBinary,
  ): Promise<void>;
}

/** A database connection (a pool for PostgreSQL, the single instance for PGlite). */
export interface Db extends Loadable {
  readonly backend: DbBackend;
  /**
   * Runs `fn` in a transaction: committed when it resolves, rolled back when
   * it throws. The handle must not be used after `fn` returns; inside `fn`
   * use only the handle (PGlite serializes everything, so the outer Db would
   * wait for the transaction forever).
   */
  transaction<T>(fn: (tx: Loadable) => Promise<T>): Promise<T>;
  /** Subscribes to NOTIFY on `channel`; resolves to an unsubscribe function. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  /** Closes connections (and, for PGlite, flushes and releases the data folder). */
  close(): Promise<void>;
}

/** PostgreSQL error codes the engine branches on. */
export const PgCode = {
  UNIQUE_VIOLATION: "23505",
  FOREIGN_KEY_VIOLATION: "23503",
  CHECK_VIOLATION: "23514",
  DUPLICATE_TABLE: "42P07",
  UNDEFINED_TABLE: "42P01",
  INVALID_CATALOG_NAME: "3D000",
} as const;

/** The SQLSTATE of a database error, if it is one. */
export function pgErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
