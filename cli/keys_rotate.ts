/**
 * `deno task keys:rotate [--batch-size N] [--max-batches N]`: moves every
 * personal value to the active key of its type (and encrypts plaintext left
 * from before encryption) in short batches, while engines keep running.
 * Prints each table's progress, then which old keys it retired: those may be
 * removed from the configuration. Stopped (Ctrl-C, --max-batches), it
 * continues where it was when run again. Configure the new key in every
 * engine first (docs/privacy.md, "Rotating keys").
 */
import { systemClock } from "../engine/clock.ts";
import { loadConfig } from "../engine/config.ts";
import { EngineError } from "../engine/errors.ts";
import { createLogger } from "../engine/log.ts";
import { rotateKeys } from "../engine/privacy/mod.ts";
import { accessDatabase } from "./database.ts";
import { wholeNumber } from "./flags.ts";
import { runCommand, say, warn } from "./output.ts";

await runCommand(async () => {
  const options = parseOptions(Deno.args);
  const config = loadConfig(Deno.env.toObject());
  const log = createLogger({ level: "warn" });
  const access = await accessDatabase(config, { command: "keys:rotate", log, viaApi: false });
  if (access.kind !== "db") throw new EngineError("INTERNAL", "keys:rotate needs the database");
  const db = access.db;
  try {
    const report = await rotateKeys(db, {
      batchSize: options.batchSize,
      ...(options.maxBatches === undefined ? {} : { maxBatches: options.maxBatches }),
      now: systemClock.now(),
      onProgress: (p) =>
        warn(`  ${p.table}: ${p.done.toLocaleString("en")} / ${p.total.toLocaleString("en")} rows`),
    });
    for (const t of report.tables) {
      say(`  ${t.table.padEnd(22)} ${t.done.toLocaleString("en")} of ${t.total} rows re-encrypted`);
    }
    if (!report.complete) {
      say(
        `Stopped after ${options.maxBatches} batches; ${report.remaining} rows still to do: ` +
          "run deno task keys:rotate again to continue",
      );
      return;
    }
    if (report.remaining > 0) {
      say(
        `${report.remaining} rows were written under an old key meanwhile (an engine not yet ` +
          "restarted with the new key?): restart every engine, then run keys:rotate again",
      );
      return;
    }
    say("Every personal value is under the active keys.");
    say(
      report.retired.length === 0
        ? "No old key to retire."
        : `Retired ${report.retired.join(", ")}: no value is under them any more; remove them ` +
          "from PII_KEY_FILE or PRIVACY_ENCRYPTION_KEY_PREVIOUS",
    );
  } finally {
    await db.close();
  }
});

function parseOptions(args: string[]): { batchSize: number; maxBatches?: number } {
  let batchSize = 500;
  let maxBatches: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    const value = args[i + 1];
    if ((flag === "--batch-size" || flag === "--max-batches") && value !== undefined) {
      if (flag === "--batch-size") batchSize = wholeNumber(flag, value, 1, 100_000);
      else maxBatches = wholeNumber(flag, value, 1, 1_000_000_000);
      i++;
    } else {
      throw new EngineError(
        "CONFIG_INVALID",
        `Unknown argument "${flag}": the options are --batch-size N and --max-batches N`,
      );
    }
  }
  return maxBatches === undefined ? { batchSize } : { batchSize, maxBatches };
}
