/** Opens the configured backend: PostgreSQL when DATABASE_URL is set, PGlite in DATA_DIR otherwise. */
import type { Config } from "../config.ts";
import { EngineError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { acquireDataDirLock, type DataDirLock } from "./data_dir_lock.ts";
import type { Db } from "./db.ts";
import { openPglite } from "./pglite.ts";
import { openPostgres } from "./postgres.ts";

/** An open database and, for PGlite, the lock held on its folder. */
export interface OpenedDb {
  db: Db;
  /** Null for PostgreSQL, which many processes share. */
  lock: DataDirLock | null;
}

/** Opens the database `config` names, as `command` (recorded in the PGlite folder's lock). */
export async function openDb(
  config: Pick<Config, "DATABASE_URL" | "DATABASE_POOL_SIZE" | "DATA_DIR">,
  options: { command: string; log: Logger },
): Promise<OpenedDb> {
  if (config.DATABASE_URL !== undefined) {
    const db = await openPostgres(config.DATABASE_URL, { poolSize: config.DATABASE_POOL_SIZE });
    return { db, lock: null };
  }
  const lock = await acquireDataDirLock(config.DATA_DIR, options.command);
  const fresh = await isEmptyFolder(config.DATA_DIR);
  if (fresh) {
    options.log.info("creating the embedded database (first start takes a few seconds)", {
      dataDir: config.DATA_DIR,
    });
  }
  let db: Db;
  try {
    db = await openPglite(config.DATA_DIR);
  } catch (error) {
    await lock.release();
    throw new EngineError(
      "DATABASE_UNAVAILABLE",
      `Cannot open the embedded database in ${config.DATA_DIR}: ${
        error instanceof Error ? error.message : String(error)
      }`,
      { cause: error },
    );
  }
  const close = db.close;
  return {
    db: {
      ...db,
      close: async () => {
        try {
          await close();
        } finally {
          await lock.release();
        }
      },
    },
    lock,
  };
}

async function isEmptyFolder(dir: string): Promise<boolean> {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name !== "engine.lock") return false;
  }
  return true;
}
