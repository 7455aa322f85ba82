/**
 * `deno task retention:run [--dry-run]`: removes what is older than
 * DATA_RETENTION_DAYS now (the scheduled job's work), printing each table as
 * it goes and what was removed; `--dry-run` counts what would go and removes
 * nothing. Opens the database itself: with the embedded database, stop the
 * engine first (the engine runs the same job on RETENTION_SCHEDULE).
 */
import { systemClock } from "../engine/clock.ts";
import { loadConfig } from "../engine/config.ts";
import { EngineError } from "../engine/errors.ts";
import { createLogger } from "../engine/log.ts";
import { type RemovedFrom, runRetention } from "../engine/privacy/mod.ts";
import { firstPartyRetentionTables } from "../plugins/mod.ts";
import { accessDatabase } from "./database.ts";
import { runCommand, say, warn } from "./output.ts";

await runCommand(async () => {
  const flags = Deno.args.filter((a) => a !== "--dry-run");
  if (flags.length > 0) {
    throw new EngineError(
      "CONFIG_INVALID",
      `Unknown argument "${flags[0]}": the only option is --dry-run`,
    );
  }
  const dryRun = Deno.args.includes("--dry-run");
  const config = loadConfig(Deno.env.toObject());
  const log = createLogger({ level: "warn" });
  const access = await accessDatabase(config, { command: "retention:run", log, viaApi: false });
  if (access.kind !== "db") throw new EngineError("INTERNAL", "retention:run needs the database");
  const db = access.db;
  try {
    const days = config.DATA_RETENTION_DAYS;
    say(`${dryRun ? "Dry run: counting" : "Removing"} data older than ${days} days`);
    const report = await runRetention(db, {
      retentionDays: days,
      now: () => systemClock.now(),
      dryRun,
      trigger: "cli",
      batchSize: config.RETENTION_BATCH_SIZE,
      pluginTables: firstPartyRetentionTables,
      onProgress: (p) => warn(`  ${p.table}: ${describe(p)} so far`),
    });
    say(`Cutoff ${report.cutoff.toISOString()} (run ${report.runId})`);
    for (const entry of report.removed) {
      const table = entry.plugin ? `${entry.table} (${entry.plugin})` : entry.table;
      say(`  ${table.padEnd(24)} ${describe(entry)}`);
    }
    const total = report.removed.reduce((sum, r) => sum + r.rows, 0);
    say(
      dryRun
        ? `Would remove ${total.toLocaleString("en")} rows; nothing was removed`
        : `Removed ${total.toLocaleString("en")} rows`,
    );
  } finally {
    await db.close();
  }
});

function describe(entry: RemovedFrom): string {
  const rows = `${entry.rows.toLocaleString("en")} rows`;
  if (entry.partitions === undefined) return rows;
  const parts = entry.partitions.length === 0 ? "no partition" : entry.partitions.join(", ");
  return `${rows} (${parts})`;
}
