/**
 * The scoring benchmark from start to clean-up: the benchmark model
 * registered and activated, loaded as the engine loads it at start, the
 * churn stage run with the configured shard workers — once as the process's
 * first cycle (V8 still compiling the engine's code), then the headline:
 * every customer's first prediction, three times, cleaned up in between —
 * again an hour later (the next cycle, with predictions in place), the next
 * day, and with one worker (so each part of a shard's time is measured
 * without another shard interleaved); the features query of one shard
 * explained, the naive baseline on a sample, the sample's predictions
 * compared, and everything the runs wrote removed.
 */
import type { Config } from "../../engine/config.ts";
import type { Db } from "../../engine/db/mod.ts";
import { EngineError } from "../../engine/errors.ts";
import { planBatches } from "../../engine/health/mod.ts";
import { silentLogger } from "../../engine/log.ts";
import { ChurnModels } from "../../engine/ml/mod.ts";
import { type DailyUsageRefresh, refreshDailyUsage } from "../../engine/signals/mod.ts";
import { sampleCustomers } from "../health/passes.ts";
import { countActiveCustomers } from "../health/population.ts";
import { bar } from "../health/progress.ts";
import { explainFeatures, type StatementPlan } from "./statement_plans.ts";
import {
  BENCH_MODEL_VERSION,
  type BenchModel,
  installBenchModel,
  removeBenchModel,
} from "./model.ts";
import {
  comparePredictions,
  measureNaiveScoring,
  type NaiveScoring,
  type PredictionCheck,
  storedPredictions,
} from "./naive_scoring.ts";
import { removeScoringRuns, runChurnStage, type StageRun, TimedChurnModels } from "./scoring.ts";

const HOUR_MS = 3_600_000;
const VACUUM_WRITES = "vacuum (analyze) churn_prediction_logs, churn_predictions_latest, event_log";
/** Runs of every customer's first prediction; the headline is their median. */
const FIRST_PREDICTION_RUNS = 3;

/** The scoring figures. */
export interface ScoringFigures {
  asOf: Date;
  active: number;
  /** Loading the model as the engine does at start (decode, onnxruntime session, warm-up). */
  loadMs: number;
  /**
   * Bringing the daily usage counts up to date before the first run (on a
   * fresh population: built from every event, once), as a stage's plan does.
   */
  dailyUsage: DailyUsageRefresh & { ms: number };
  scorer: string | null;
  /**
   * Every customer's first prediction as the process's first cycle: V8
   * compiles the engine's code as it first runs it, on the same two cores.
   */
  processFirst: StageRun;
  /** Every customer's first prediction, the configured shard workers, in a warm process. */
  firstRuns: StageRun[];
  /** The median of `firstRuns`. */
  headline: StageRun;
  /** The next hourly cycle, with the configured workers: logs and writes only what changed. */
  nextHour: StageRun;
  /** The next day's first cycle: every prediction logged, the changed ones written as latest. */
  nextDay: StageRun;
  /** One shard worker, for the split of the time. */
  oneWorker: StageRun;
  /** EXPLAIN ANALYZE of one shard's features query. */
  featuresPlan: StatementPlan;
  naive: Omit<NaiveScoring, "predictions">;
  check: PredictionCheck;
}

/** Runs the scoring benchmark at `asOf` (the cycle's time); leaves the database as it found it. */
export async function measureScoring(
  db: Db,
  config: Config,
  options: { asOf: Date; model: BenchModel; naiveSample: number },
): Promise<ScoringFigures> {
  const { asOf } = options;
  await removeScoringRuns(db, asOf); // Leftovers of an interrupted run.
  const previous = await installBenchModel(db, options.model);
  const models = new TimedChurnModels({ db, scorer: config.ML_SCORER, log: silentLogger });
  const plain = new ChurnModels({ db, scorer: config.ML_SCORER, log: silentLogger });
  try {
    const started = performance.now();
    const status = await models.warmUp();
    const loadMs = performance.now() - started;
    if (!status.loaded) {
      throw new EngineError("INTERNAL", `The benchmark model did not load: ${status.loadError}`);
    }
    const active = await countActiveCustomers(db, asOf);
    const refreshStarted = performance.now();
    const refreshed = await refreshDailyUsage(db);
    const dailyUsage = { ...refreshed, ms: performance.now() - refreshStarted };

    const firstPredictions = () =>
      runChurnStage(db, config, { asOf, models, workers: config.SCORING_CONCURRENCY });
    const processFirst = await firstPredictions();
    const firstRuns: StageRun[] = [];
    for (let run = 0; run < FIRST_PREDICTION_RUNS; run++) {
      // Each run starts where the first did: no prediction, nothing to vacuum.
      await removeScoringRuns(db, asOf);
      firstRuns.push(await firstPredictions());
    }
    const headline = [...firstRuns].sort((a, b) => a.seconds - b.seconds)[firstRuns.length >> 1]!;
    // The last run's predictions stay for the next hour's cycle to find.
    const sample = await sampleCustomers(db, asOf, options.naiveSample);
    const stored = await storedPredictions(db, firstRuns.at(-1)!.cycle.id, sample);
    const [firstShard] = await planBatches(db, asOf, config.SCORING_BATCH_SIZE);
    const featuresPlan = await explainFeatures(db, firstShard!, asOf);
    // The next hourly cycle: every customer has a prediction, few move enough for an event.
    // Between runs, what autovacuum would have done in an hour (it is off on this server).
    await db.exec(VACUUM_WRITES);
    const nextHour = await runChurnStage(db, config, {
      asOf: new Date(asOf.getTime() + HOUR_MS),
      models,
      workers: config.SCORING_CONCURRENCY,
    });
    await db.exec(VACUUM_WRITES);
    const nextDay = await runChurnStage(db, config, {
      asOf: new Date(asOf.getTime() + 24 * HOUR_MS),
      models,
      workers: config.SCORING_CONCURRENCY,
    });
    await removeScoringRuns(db, asOf);

    const oneWorker = await runChurnStage(db, config, { asOf, models, workers: 1 });
    await removeScoringRuns(db, asOf);

    const progress = bar("Naive scoring, one customer at a time", sample.length);
    const { predictions, ...naive } = await measureNaiveScoring(db, sample, {
      model: await plain.version(BENCH_MODEL_VERSION),
      asOf,
      confidenceThreshold: config.ML_CONFIDENCE_THRESHOLD,
      onProgress: (done) => progress.update(done),
    });
    progress.done();
    return {
      asOf,
      active,
      loadMs,
      dailyUsage,
      scorer: status.scorer,
      processFirst,
      firstRuns,
      headline,
      nextHour,
      nextDay,
      oneWorker,
      featuresPlan,
      naive,
      check: comparePredictions(predictions, stored, sample),
    };
  } finally {
    await models.close();
    await plain.close();
    await removeBenchModel(db, previous);
    // Also vacuums away the naive pass's rolled-back rows and the model's row.
    await removeScoringRuns(db, asOf);
  }
}
