/**
 * `deno task bench:ml`: churn prediction against the three targets,
 * each with a baseline measured in the same run. bench/README.md explains
 * the method.
 *
 * 1. Scoring on real PostgreSQL: the churn stage of a cycle (CycleRunner,
 *    shards, SCORING_CONCURRENCY workers) over the benchmark population with
 *    a registered 100-tree depth-6 model, vs one customer at a time.
 * 2. Inference alone: onnxruntime in batches of ML_BATCH_SIZE vs one row per
 *    call, and the TypeScript evaluator.
 * 3. Training: the engine's trainer on 100,000 rows × 20 features (300
 *    trees) vs an exact-greedy reference trainer on a sample.
 *
 *   --only LIST          parts to run: scoring,inference,training (default all)
 *   --naive-sample N     customers the naive scoring scores (default 500)
 *   --inference-rows N   rows scored by each scorer (default 100,000)
 *   --single-rows N      of those, rows scored one per call (default all)
 *   --train-rows N       rows the engine trainer learns from (default 100,000)
 *   --train-trees N      trees it grows (default 300)
 *   --reference-rows N   rows of the sample both trainers learn from (default 10,000)
 *   --reference-trees N  trees they grow on it (default 30)
 *   --plan               print the plan of one shard's features query (EXPLAIN ANALYZE)
 *   and the population flags of bench:health (--customers, --database, …),
 *   with a population of its own by default: 132,000 suppliers in cs_bench_ml,
 *   of whom about 100,000 are active at the scoring time (the target's count)
 *
 * The server is BENCH_DATABASE_URL, else DATABASE_URL, else local PostgreSQL.
 * Exits 1 only on an error or when compared paths compute different results.
 */
import { parseArgs } from "node:util";
import { wholeNumber } from "../cli/flags.ts";
import { runCommand, say, warn } from "../cli/output.ts";
import { loadConfig } from "../engine/config.ts";
import { EngineError } from "../engine/errors.ts";
import { scoringSettings } from "../engine/health/mod.ts";
import { benchServerUrl, describeServer, openBenchDatabase } from "./health/database.ts";
import { ensurePopulation } from "./health/population.ts";
import { populationFromFlags, populationOptions } from "./health/population_flags.ts";
import { seedProgress } from "./health/progress.ts";
import { type InferenceFigures, measureInference } from "./ml/inference.ts";
import { type BenchModel, trainBenchModel } from "./ml/model.ts";
import { inferenceRows, scoringRows, TARGETS, trainingRows } from "./ml/report.ts";
import { measureScoring, type ScoringFigures } from "./ml/scoring_bench.ts";
import { syntheticChurnRows } from "./ml/synthetic.ts";
import { measureTraining, type TrainingFigures } from "./ml/training.ts";
import { markdownTable, saveFigures } from "./results.ts";

const HOUR_MS = 3_600_000;
const PARTS = ["scoring", "inference", "training"] as const;
/** The model size for scoring and inference. */
const MODEL = { trees: 100, depth: 6, rows: 50_000 };

await runCommand(async () => {
  const config = loadConfig(Deno.env.toObject());
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      ...populationOptions,
      // About 100,000 of them active an hour after the seed (the rest signed up later or churned).
      customers: { type: "string", default: "132000" },
      database: { type: "string", default: "cs_bench_ml" },
      only: { type: "string", default: PARTS.join(",") },
      "naive-sample": { type: "string", default: "500" },
      "inference-rows": { type: "string", default: "100000" },
      "single-rows": { type: "string" },
      "train-rows": { type: "string", default: "100000" },
      "train-trees": { type: "string", default: "300" },
      "reference-rows": { type: "string", default: "10000" },
      "reference-trees": { type: "string", default: "30" },
      plan: { type: "boolean", default: false },
    },
  });
  const parts = new Set(values.only.split(",").map((p) => p.trim()));
  for (const part of parts) {
    if (!(PARTS as readonly string[]).includes(part)) {
      throw new EngineError("VALIDATION_FAILED", `--only: unknown part "${part}"; use ${PARTS}`);
    }
  }
  const inferenceRowCount = wholeNumber(
    "--inference-rows",
    values["inference-rows"],
    1,
    10_000_000,
  );
  const singleRows = values["single-rows"] === undefined
    ? inferenceRowCount
    : wholeNumber("--single-rows", values["single-rows"], 1, inferenceRowCount);
  const trainRows = wholeNumber("--train-rows", values["train-rows"], 100, 10_000_000);
  const referenceRows = wholeNumber("--reference-rows", values["reference-rows"], 100, trainRows);
  const naiveSample = wholeNumber("--naive-sample", values["naive-sample"], 1, 100_000);
  const started = performance.now();

  warn(`Training the ${MODEL.trees}-tree depth-${MODEL.depth} model the scoring runs…`);
  const model = trainBenchModel(MODEL);
  const figures: {
    date: string;
    cores: number;
    loadAverage: string;
    model: Omit<BenchModel, "ensemble" | "onnx" | "card">;
    scoring?: ScoringFigures & { server: string; postgres: string; batchSize: number };
    inference?: InferenceFigures;
    training?: TrainingFigures;
    seconds?: number;
  } = {
    date: new Date().toISOString(),
    cores: navigator.hardwareConcurrency,
    loadAverage: (await Deno.readTextFile("/proc/loadavg").catch(() => "unknown")).trim(),
    model: {
      trees: model.trees,
      depth: model.depth,
      leaves: model.leaves,
      trainRows: model.trainRows,
      trainSeconds: model.trainSeconds,
    },
  };

  if (parts.has("scoring")) {
    const serverUrl = benchServerUrl(config);
    const bench = await openBenchDatabase(serverUrl, {
      name: values.database,
      poolSize: Math.max(4, config.SCORING_CONCURRENCY + 2),
    });
    try {
      const population = await ensurePopulation(bench.db, populationFromFlags(values), {
        reseed: values.reseed,
        scoring: scoringSettings(config),
        retentionDays: config.DATA_RETENTION_DAYS,
        onProgress: seedProgress(),
      });
      const [server] = await bench.db.query<{ version: string }>(
        "select current_setting('server_version') as version",
      );
      // The next hourly cycle after the seed's health scoring, which the features read.
      const scoring = await measureScoring(bench.db, config, {
        asOf: new Date(population.asOf.getTime() + HOUR_MS),
        model,
        naiveSample,
      });
      figures.scoring = {
        ...scoring,
        server: describeServer(serverUrl, values.database),
        postgres: server?.version ?? "unknown",
        batchSize: config.SCORING_BATCH_SIZE,
      };
      if (values.plan) {
        for (const line of scoring.featuresPlan.lines) warn(line);
        warn("");
      }
    } finally {
      await bench.close();
    }
  }
  if (parts.has("inference")) {
    figures.inference = await measureInference(
      model,
      syntheticChurnRows(inferenceRowCount, 7).features,
      { batchSize: config.ML_BATCH_SIZE, singleRows, passes: 5 },
    );
  }
  if (parts.has("training")) {
    figures.training = measureTraining({
      rows: trainRows,
      width: 20,
      missing: 0.05,
      trees: wholeNumber("--train-trees", values["train-trees"], 1, 10_000),
      referenceRows,
      referenceTrees: wholeNumber("--reference-trees", values["reference-trees"], 1, 1_000),
      validationRows: 20_000,
      seed: 42,
    });
  }
  figures.seconds = (performance.now() - started) / 1000;

  const sections: Array<[string, { rows: Array<[string, string]>; agree: boolean }]> = [];
  if (figures.scoring) {
    sections.push([
      `Scoring on PostgreSQL ${figures.scoring.postgres} (${figures.scoring.server})`,
      scoringRows(figures.scoring, model),
    ]);
  }
  if (figures.inference) {
    sections.push([
      `Inference, ${MODEL.trees} trees of depth ${MODEL.depth}`,
      inferenceRows(figures.inference),
    ]);
  }
  if (figures.training) {
    sections.push(["Training, depth 6, early stopping off", trainingRows(figures.training)]);
  }
  say();
  say(
    `Churn prediction benchmark, ${figures.date}: ${figures.cores} cores, load average ` +
      `${figures.loadAverage.split(" ").slice(0, 3).join(" ")} at the start, ` +
      `${figures.seconds.toFixed(0)} s in all`,
  );
  for (const [title, section] of sections) {
    say();
    say(`${title}:`);
    say();
    for (const line of markdownTable(section.rows)) say(line);
  }
  warn(`\nFigures saved to ${await saveFigures("ml", { ...figures, targets: TARGETS })}`);
  const different = sections.filter(([, s]) => !s.agree).map(([title]) => title);
  if (different.length > 0) {
    warn(`The compared paths computed different results: ${different.join("; ")}`);
    Deno.exit(1);
  }
});
