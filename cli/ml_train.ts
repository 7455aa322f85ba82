/**
 * `deno task ml:train`: trains a churn model and writes the ONNX file and its
 * model card (JSON and Markdown) to ML_MODEL_PATH (or --out).
 *
 *   deno task ml:train [--horizon 90] [--snapshots 3] [--every 30] [--version V] [--activate]
 *     From the engine's database: snapshots labelled by churn within the horizon,
 *     registered as a candidate; activated with --activate, or when no model is active.
 *   deno task ml:train --csv FILE --label COLUMN [--split FILE] [--ignore A,B]
 *                      [--categorical one-hot|ordinal]
 *     From a CSV file (another data set: written to files, not registered, since the
 *     engine scores its own features).
 *   Hyperparameters: --learning-rate 0.1 --max-depth 6 --min-samples-leaf 20 --l2 1
 *     --max-trees 300 --early-stopping-rounds 20 --class-weight none|balanced --seed 42
 *     --threshold 0.5|max-f1
 */
import { parseArgs } from "node:util";
import { systemClock } from "../engine/clock.ts";
import { loadConfig } from "../engine/config.ts";
import { EngineError } from "../engine/errors.ts";
import { createLogger } from "../engine/log.ts";
import {
  ChurnModels,
  encodeOnnxModel,
  type GbdtOptionsInput,
  getActiveModel,
  type ModelCard,
  renderModelCardMarkdown,
  type ThresholdRule,
  trainChurnModel,
  trainFromCsv,
} from "../engine/ml/mod.ts";
import { accessDatabase } from "./database.ts";
import { wholeNumber } from "./flags.ts";
import { progress, runCommand, say } from "./output.ts";

await runCommand(async () => {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      csv: { type: "string" },
      label: { type: "string" },
      split: { type: "string" },
      ignore: { type: "string" },
      categorical: { type: "string" },
      horizon: { type: "string" },
      snapshots: { type: "string", default: "3" },
      every: { type: "string", default: "30" },
      version: { type: "string" },
      out: { type: "string" },
      activate: { type: "boolean", default: false },
      "learning-rate": { type: "string" },
      "max-depth": { type: "string" },
      "min-samples-leaf": { type: "string" },
      l2: { type: "string" },
      "max-trees": { type: "string" },
      "early-stopping-rounds": { type: "string" },
      "class-weight": { type: "string" },
      seed: { type: "string" },
      threshold: { type: "string", default: "0.5" },
    },
    strict: true,
  });
  const config = loadConfig(Deno.env.toObject());
  const out = values.out ?? config.ML_MODEL_PATH;
  const gbdt = hyperparameters(values);
  const threshold = thresholdRule(values.threshold);
  let bar = progress("Training trees", gbdt.maxTrees ?? 300);
  const onTree = (p: { tree: number; maxTrees: number; validationLoss: number | null }) =>
    bar.update(p.tree, p.maxTrees);

  if (values.csv !== undefined) {
    if (values.label === undefined) {
      throw new EngineError("VALIDATION_FAILED", "--csv needs --label COLUMN: the 0/1 outcome");
    }
    const categorical = values.categorical ?? "one-hot";
    if (categorical !== "one-hot" && categorical !== "ordinal") {
      throw new EngineError("VALIDATION_FAILED", "--categorical must be one-hot or ordinal");
    }
    const result = await trainFromCsv({
      file: values.csv,
      label: values.label,
      splitFile: values.split,
      ignore: values.ignore?.split(",").map((c) => c.trim()).filter(Boolean),
      categorical,
      gbdt,
      threshold,
      onProgress: onTree,
    });
    bar.done(`${result.training.treesUsed} trees kept of ${result.training.treesGrown}`);
    const version = values.version ?? `1.0.0-${stemOf(values.csv)}`;
    const onnx = encodeOnnxModel(result.model, { version });
    await writeModelFiles(out, version, onnx, result.card);
    report(result.card);
    say(
      "Not registered: the engine scores its own customer features (docs/ml.md); this model " +
        "is for evaluation, or for scoring that data set elsewhere",
    );
    return;
  }

  const log = createLogger({ level: "warn" });
  const access = await accessDatabase(config, { command: "ml:train", log, viaApi: false });
  if (access.kind !== "db") throw new EngineError("INTERNAL", "ml:train needs the database");
  const db = access.db;
  const models = new ChurnModels({ db, scorer: config.ML_SCORER, log });
  try {
    const snapshotsBar = progress("Building snapshots", 1);
    const trained = await trainChurnModel(db, {
      asOf: systemClock.now(),
      horizonDays: values.horizon === undefined
        ? config.ML_HORIZON_DAYS
        : wholeNumber("--horizon", values.horizon, 1, 730),
      snapshots: wholeNumber("--snapshots", values.snapshots, 1, 24),
      everyDays: wholeNumber("--every", values.every, 1, 365),
      batchSize: config.SCORING_BATCH_SIZE,
      gbdt,
      threshold,
      version: values.version,
      onSnapshots: (done, total) => snapshotsBar.update(done, total),
      onTree: (p) => {
        if (p.tree === 1) {
          snapshotsBar.done();
          bar = progress("Training trees", p.maxTrees);
        }
        onTree(p);
      },
      change: { actor: "local:cli", now: systemClock.now() },
    });
    bar.done(`${trained.training.treesUsed} trees kept of ${trained.training.treesGrown}`);
    await writeModelFiles(out, trained.version, trained.onnx, trained.card);
    report(trained.card);
    const active = await getActiveModel(db);
    if (values.activate || !active) {
      await models.activate(trained.version, {
        actor: "local:cli",
        now: systemClock.now(),
        reason: values.activate ? "ml:train --activate" : "the first model",
      });
      say(`Model ${trained.version} is registered and active: the next cycle scores with it.`);
    } else {
      say(
        `Model ${trained.version} is registered as a candidate; ${active.version} stays active ` +
          `(POST /api/v1/models/${trained.version}/activate, or train with --activate).`,
      );
    }
  } finally {
    await models.close();
    await db.close();
  }
});

function hyperparameters(values: Record<string, string | boolean | undefined>): GbdtOptionsInput {
  const number = (flag: string) => {
    const text = values[flag];
    if (typeof text !== "string") return undefined;
    const n = Number(text);
    if (!Number.isFinite(n)) {
      throw new EngineError("VALIDATION_FAILED", `--${flag} must be a number, not "${text}"`);
    }
    return n;
  };
  const options: Record<string, unknown> = {
    learningRate: number("learning-rate"),
    maxDepth: number("max-depth"),
    minSamplesLeaf: number("min-samples-leaf"),
    l2: number("l2"),
    maxTrees: number("max-trees"),
    earlyStoppingRounds: number("early-stopping-rounds"),
    classWeight: values["class-weight"],
    seed: number("seed"),
  };
  // Unset flags keep the trainer's defaults; the trainer checks ranges and names the field.
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}

function thresholdRule(text: string | undefined): ThresholdRule {
  if (text === undefined || text === "0.5") return { method: "fixed", value: 0.5 };
  if (text === "max-f1") return { method: "max-f1" };
  const value = Number(text);
  if (!(value > 0 && value < 1)) {
    throw new EngineError(
      "VALIDATION_FAILED",
      `--threshold must be a probability between 0 and 1, or max-f1, not "${text}"`,
    );
  }
  return { method: "fixed", value };
}

async function writeModelFiles(
  dir: string,
  version: string,
  onnx: Uint8Array,
  card: ModelCard,
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const base = `${dir}/churn-${version}`;
  await Deno.writeFile(`${base}.onnx`, onnx);
  await Deno.writeTextFile(`${base}.card.json`, JSON.stringify(card, null, 2) + "\n");
  await Deno.writeTextFile(`${base}.card.md`, renderModelCardMarkdown(card));
  say(`Wrote ${base}.onnx, ${base}.card.json and ${base}.card.md`);
}

function report(card: ModelCard): void {
  const test = card.metrics.test;
  const f = (x: number | null) => x === null ? "n/a" : x.toFixed(3);
  say(
    `Held-out test (${test.rows} rows): ROC AUC ${f(test.rocAuc)}, PR AUC ${f(test.prAuc)}, ` +
      `accuracy ${f(test.accuracy)} at ${card.threshold.value} (majority class ` +
      `${f(test.majorityClassAccuracy)}), Brier ${f(test.brier)}`,
  );
}

function stemOf(file: string): string {
  const name = file.split("/").at(-1)!.replace(/\.[^.]+$/, "");
  return name.toLowerCase().replace(/[^0-9a-z]+/g, "-").replace(/^-|-$/g, "").slice(0, 40) ||
    "csv";
}
