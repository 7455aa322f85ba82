/**
 * `deno task validate` (alias `validate:production`): is this deployment
 * ready for production? One line per check, then PRODUCTION READY or NOT
 * READY: N problems; exits 1 when not ready. Asks the running engine when it
 * holds the embedded database; otherwise checks the database directly,
 * without changing it (no migration runs). docs/operations.md explains each.
 */
import { systemClock } from "../engine/clock.ts";
import { type Config, loadConfig } from "../engine/config.ts";
import { type Db, openDb, readDataDirLock } from "../engine/db/mod.ts";
import { openKeyringReadOnly } from "../engine/privacy/mod.ts";
import { EngineError, isEngineError } from "../engine/errors.ts";
import { createLogger, type Logger } from "../engine/log.ts";
import { ChurnModels } from "../engine/ml/mod.ts";
import {
  createHealthMonitor,
  validateProduction,
  type ValidationResult,
} from "../engine/ops/mod.ts";
import { runCommand, say } from "./output.ts";
import { formatResult, formatVerdict, outputStyle } from "./validate_output.ts";

await runCommand(async () => {
  const log = createLogger({ level: "error" });
  const results = await validate(log);
  const style = outputStyle();
  for (const result of results) say(formatResult(result, style));
  say(formatVerdict(results));
  if (results.some((r) => r.status === "fail")) Deno.exit(1);
});

/** The results: from the running engine, directly, or the configuration's own failure. */
async function validate(log: Logger): Promise<ValidationResult[]> {
  let config: Config;
  try {
    config = loadConfig(Deno.env.toObject());
  } catch (error) {
    if (!isEngineError(error, "CONFIG_INVALID")) throw error;
    // Nothing else can be checked without a configuration: say exactly what to fix.
    return [{
      check: "configuration",
      status: "fail",
      message: error.issues.map((i) => `${i.path} ${i.message}`).join("; "),
      fix: "Fix those environment variables (docs/configuration.md)",
    }];
  }
  if (config.DATABASE_URL === undefined) {
    const holder = await readDataDirLock(config.DATA_DIR);
    if (holder?.url && holder.localToken) return await fromEngine(holder.url, holder.localToken);
  }
  let db: Db;
  try {
    ({ db } = await openDb(config, { command: "validate", log }));
  } catch (error) {
    if (!isEngineError(error)) throw error;
    return [{
      check: "database",
      status: "fail",
      message: error.message,
      // In use: an engine still starting (it answers validate once it listens), or a command.
      fix: isEngineError(error, "DATA_DIR_IN_USE")
        ? "Run validate again once the engine listens, or when the command holding the folder ends"
        : "Start the database, or fix DATABASE_URL / DATA_DIR",
    }];
  }
  const churnModels = new ChurnModels({ db, scorer: config.ML_SCORER, log });
  try {
    // So the health round sees the keys as an engine would; a problem is the encryption line's.
    await openKeyringReadOnly(db, config, { now: systemClock.now() });
    const health = createHealthMonitor({ db, config, clock: systemClock, log, churnModels });
    return await validateProduction({ db, config, clock: systemClock, log, churnModels, health });
  } finally {
    await churnModels.close();
    await db.close();
  }
}

/** The running engine's own validation (GET /api/v1/validation). */
async function fromEngine(url: string, token: string): Promise<ValidationResult[]> {
  const response = await fetch(`${url}/api/v1/validation`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new EngineError(
      "INTERNAL",
      `The running engine at ${url} answered ${response.status} to /api/v1/validation`,
    );
  }
  const body = await response.json() as { results: ValidationResult[] };
  return body.results;
}
