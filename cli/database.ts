/**
 * How a command reaches the database. PostgreSQL is shared, so commands open
 * it directly. The embedded database allows one process: when the engine
 * runs on it, commands that can work through its HTTP API do so, and the
 * others stop with a message saying what to do.
 */
import { systemClock } from "../engine/clock.ts";
import type { Config } from "../engine/config.ts";
import { dataDirInUse, type Db, openDb, readDataDirLock } from "../engine/db/mod.ts";
import { installEngine } from "../engine/install.ts";
import type { Logger } from "../engine/log.ts";
import { openKeyring } from "../engine/privacy/mod.ts";

/** Either an open database or the URL of the running engine that holds it. */
export type Access =
  | { kind: "db"; db: Db }
  | { kind: "api"; engineUrl: string; headers: Record<string, string> };

/**
 * Opens the database for `command` (migrated and with defaults installed),
 * or, if `viaApi` and the running engine holds the embedded folder, returns
 * the engine's URL. Throws DATA_DIR_IN_USE otherwise.
 */
export async function accessDatabase(
  config: Config,
  options: { command: string; log: Logger; viaApi: boolean },
): Promise<Access> {
  if (config.DATABASE_URL === undefined) {
    const holder = await readDataDirLock(config.DATA_DIR);
    if (holder) {
      if (options.viaApi && holder.url && holder.localToken) {
        const headers = { authorization: `Bearer ${holder.localToken}` };
        return { kind: "api", engineUrl: holder.url, headers };
      }
      throw dataDirInUse(config.DATA_DIR, holder);
    }
  }
  const { db } = await openDb(config, { command: options.command, log: options.log });
  try {
    await installEngine(db, { config, now: systemClock.now(), log: options.log });
    await openKeyring(db, config, { now: systemClock.now(), log: options.log });
  } catch (error) {
    await db.close();
    throw error;
  }
  return { kind: "db", db };
}
