/**
 * `deno task validate` (alias `validate:production`): is this deployment
 * ready for production? One line per check, then PRODUCTION READY or NOT
 * READY: N problems; exits 1 when not ready. Asks the running engine when it
 * holds the embedded database, or the one `--engine URL` names (with an
 * admin token in ENGINE_TOKEN); otherwise checks the database directly,
 * without changing it (no migration runs). docs/operations.md explains each.
 */
import { parseArgs } from "node:util";
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
  const { values } = parseArgs({
    args: Deno.args,
    options: { engine: { type: "string" } },
    strict: true,
    allowPositionals: false,
  });
  const results = values.engine === undefined
    ? await validate(log)
    : await fromEngine(engineUrl(values.engine), engineToken());
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

/** `--engine`'s URL without a trailing slash, or a clear error. */
function engineUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.protocol === "http:" || url.protocol === "https:") return url.href.replace(/\/+$/, "");
  } catch {
    // Refused below with the same message.
  }
  throw new EngineError(
    "VALIDATION_FAILED",
    `--engine must be the engine's base URL, like https://success.example.com, not "${text}"`,
  );
}

/** The admin token `--engine` needs, from ENGINE_TOKEN (not a flag: flags show in `ps`). */
function engineToken(): string {
  const token = Deno.env.get("ENGINE_TOKEN");
  if (token) return token;
  throw new EngineError(
    "VALIDATION_FAILED",
    "--engine needs an admin token in ENGINE_TOKEN: create one with " +
      "deno task token:create --role admin --name validate",
  );
}

/** The running engine's own validation (GET /api/v1/validation). */
async function fromEngine(url: string, token: string): Promise<ValidationResult[]> {
  let response: Response;
  try {
    response = await fetch(`${url}/api/v1/validation`, {
      headers: { authorization: `Bearer ${token}` },
    });
  } catch (error) {
    throw new EngineError(
      "VALIDATION_FAILED",
      `Cannot reach the engine at ${url}: ${(error as Error).message}. Check the URL and that ` +
        "the engine runs",
    );
  }
  if (!response.ok) {
    await response.body?.cancel();
    const why = response.status === 401 || response.status === 403
      ? ": ENGINE_TOKEN must be an admin token of that engine's database"
      : "";
    throw new EngineError(
      "VALIDATION_FAILED",
      `The running engine at ${url} answered ${response.status} to /api/v1/validation${why}`,
    );
  }
  const body = await response.json() as { results: ValidationResult[] };
  return body.results;
}
