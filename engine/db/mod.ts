/**
 * Storage: one Db interface over PostgreSQL (postgres.js) or embedded PGlite,
 * the migration runner, and the PGlite folder lock.
 *
 * @example
 * ```ts
 * const { db } = await openDb(config, { command: "engine", log });
 * await migrate(db);
 * const rows = await db.query("select count(*) as n from customers");
 * ```
 */
export type { Db, DbBackend, Loadable, Queryable, QueryOptions, Row } from "./db.ts";
export { PgCode, pgErrorCode, PREPARED } from "./db.ts";
export { openDb, type OpenedDb } from "./open.ts";
export { errorMessage, type JobOutcome, type JobTick, runOncePerTick } from "./job_ticks.ts";
export { databaseUnavailable } from "./unavailable.ts";
export { copyField, CopyText } from "./copy_text.ts";
export { BinaryCopyWriter, BinaryField, CopyBinary } from "./copy_binary.ts";
export { BatchedLoader, type BatchedLoaderOptions } from "./batched_loader.ts";
export { openPglite } from "./pglite.ts";
export { numberTypes, openPostgres } from "./postgres.ts";
export {
  loadMigrations,
  migrate,
  type Migration,
  type MigrationResult,
  type MigrationState,
  migrationState,
  schemaVersion,
} from "./migrate.ts";
export {
  acquireDataDirLock,
  dataDirInUse,
  type DataDirLock,
  type LockHolder,
  readDataDirLock,
} from "./data_dir_lock.ts";
