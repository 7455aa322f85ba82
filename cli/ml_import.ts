/**
 * `deno task ml:import FILE.onnx [--version V] [--activate]`: registers a churn
 * model trained elsewhere (docs/model-format.md). The file is loaded and
 * checked against the engine's features first; a card next to it
 * (FILE.card.json) is kept with it. With --activate it scores from the next
 * cycle on. On the embedded database it needs the engine stopped.
 */
import { parseArgs } from "node:util";
import { systemClock } from "../engine/clock.ts";
import { loadConfig } from "../engine/config.ts";
import { EngineError } from "../engine/errors.ts";
import { createLogger } from "../engine/log.ts";
import {
  churnFeatureNames,
  ChurnModels,
  decodeOnnxModel,
  loadChurnModel,
  nextModelVersion,
  registerModel,
} from "../engine/ml/mod.ts";
import { accessDatabase } from "./database.ts";
import { runCommand, say } from "./output.ts";

await runCommand(async () => {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: { version: { type: "string" }, activate: { type: "boolean", default: false } },
    allowPositionals: true,
    strict: true,
  });
  const file = positionals[0];
  if (positionals.length !== 1 || !file) {
    throw new EngineError(
      "VALIDATION_FAILED",
      "Name one ONNX file: deno task ml:import models/churn.onnx [--version 2.0.0] [--activate]",
    );
  }
  let onnx: Uint8Array;
  try {
    onnx = await Deno.readFile(file);
  } catch (error) {
    throw new EngineError("IMPORT_FAILED", `Cannot read ${file}: ${(error as Error).message}`);
  }
  const card = await readCard(file.replace(/\.onnx$/, "") + ".card.json");
  const config = loadConfig(Deno.env.toObject());
  const log = createLogger({ level: "warn" });
  const access = await accessDatabase(config, { command: "ml:import", log, viaApi: false });
  if (access.kind !== "db") throw new EngineError("INTERNAL", "ml:import needs the database");
  const db = access.db;
  const models = new ChurnModels({ db, scorer: config.ML_SCORER, log });
  try {
    const decoded = decodeOnnxModel(onnx, { featureNames: churnFeatureNames });
    const version = values.version ?? decoded.version ?? await nextModelVersion(db);
    // Refused here, with its reason, if it cannot score the engine's features.
    const loaded = await loadChurnModel({ version, onnx, card }, { scorer: config.ML_SCORER });
    await loaded.scorer.close();
    const now = systemClock.now();
    await registerModel(db, {
      version,
      onnx,
      featureNames: churnFeatureNames,
      card,
      metrics: (card.metrics as Record<string, unknown> | undefined) ?? {},
      source: `file:${file}`,
      trainedAt: typeof card.model === "object" && card.model !== null &&
          typeof (card.model as { trainedAt?: unknown }).trainedAt === "string"
        ? new Date((card.model as { trainedAt: string }).trainedAt)
        : now,
    }, { actor: "local:cli", now });
    if (values.activate) {
      await models.activate(version, { actor: "local:cli", now, reason: `ml:import ${file}` });
      say(`Model ${version} from ${file} is registered and active.`);
    } else {
      say(
        `Model ${version} from ${file} is registered as a candidate ` +
          `(POST /api/v1/models/${version}/activate, or import with --activate).`,
      );
    }
  } finally {
    await models.close();
    await db.close();
  }
});

async function readCard(path: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return {};
    throw new EngineError("IMPORT_FAILED", `${path} is not a JSON model card: ${error}`);
  }
}
