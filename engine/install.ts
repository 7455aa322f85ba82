/**
 * Brings a database up to what this engine needs: migrations applied, the
 * default milestone catalog and health model installed, and usage-event
 * partitions for the retention window and the months ahead. Idempotent; run
 * at every start and by `deno task migrate`.
 */
import { DAY_MS } from "./clock.ts";
import type { Config } from "./config.ts";
import { type Db, migrate, type MigrationResult } from "./db/mod.ts";
import { ensureDefaultHealthModel } from "./health/mod.ts";
import type { Logger } from "./log.ts";
import { ensureEventPartitions, ensureMilestoneCatalog } from "./signals/mod.ts";

/** Months of usage-event partitions created ahead of now. */
const MONTHS_AHEAD = 3;

/** Migrates and installs defaults; returns what the migration did. */
export async function installEngine(
  db: Db,
  options: { config: Pick<Config, "DATA_RETENTION_DAYS">; now: Date; log: Logger },
): Promise<MigrationResult> {
  const migrated = await migrate(db, { log: options.log });
  await ensureMilestoneCatalog(db);
  await ensureDefaultHealthModel(db);
  const now = options.now.getTime();
  await ensureEventPartitions(
    db,
    new Date(now - options.config.DATA_RETENTION_DAYS * DAY_MS),
    new Date(now + MONTHS_AHEAD * 31 * DAY_MS),
  );
  return migrated;
}
