/**
 * The churn benchmark's summary: rows of a Markdown table per part, the
 * issue's targets as met or not met (never enforced: wall time depends on
 * the machine), and whether the compared paths computed the same results.
 */
import type { InferenceFigures } from "./inference.ts";
import { PROBABILITY_TOLERANCE } from "./inference.ts";
import type { BenchModel } from "./model.ts";
import type { ScoringFigures } from "./scoring_bench.ts";
import type { StatementPlan } from "./statement_plans.ts";
import type { TrainingFigures } from "./training.ts";

/** The issue's targets. */
export const TARGETS = {
  scoreCustomers: 100_000,
  scoreSeconds: 3,
  rowsPerSecond: 300_000,
  trainSeconds: 60,
} as const;

/** The reference and the engine trainer must reach log losses this close on the same sample. */
export const LOG_LOSS_TOLERANCE = 0.01;

type Row = [string, string];

/** The scoring rows, and whether both paths predicted alike. */
export function scoringRows(
  s: ScoringFigures,
  model: BenchModel,
): { rows: Row[]; agree: boolean; met: boolean } {
  const { headline, oneWorker: one } = s;
  const perSecond = headline.predicted / headline.seconds;
  // Measured when the population has enough active customers; projected from the rate otherwise.
  const measured = headline.predicted >= TARGETS.scoreCustomers;
  const projected = TARGETS.scoreCustomers / perSecond;
  const t = one.times;
  const explainAndRows = t.work - t.features - t.inference - t.driftBins - t.logCopy -
    t.latestAndEvents - t.scoringRun - t.otherSql;
  const bookkeeping = one.seconds * 1000 - t.work;
  const share = (ms: number) =>
    `${fixed(ms / 1000, 2)} s (${Math.round((ms / (one.seconds * 1000)) * 100)}%)`;
  // Every active customer scored, and the sample scored alike by both paths.
  const agree = s.check.disagreements.length === 0 && headline.predicted === s.active;
  const met = (measured ? headline.seconds : projected) < TARGETS.scoreSeconds;
  const first = s.check.disagreements[0];
  return {
    agree,
    met,
    rows: [
      [
        "model scored",
        `${model.trees} trees, depth ${model.depth}, ${int(model.leaves)} leaves, ` +
        `${model.ensemble.featureNames.length} features; scorer ${s.scorer}, loaded and warmed up ` +
        `in ${int(s.loadMs)} ms`,
      ],
      [
        s.dailyUsage.backfill
          ? "daily usage counts built from every event (once)"
          : "daily usage counts brought up to date",
        `${fixed(s.dailyUsage.ms / 1000, 2)} s · ${int(s.dailyUsage.events)} events`,
      ],
      [
        "customers scored per cycle",
        `${int(headline.predicted)} of ${int(s.active)} active at ${iso(s.asOf)} ` +
        `(${int(headline.changed)} \`churn.predicted\` events)`,
      ],
      [
        `churn stage, first predictions, the process's first cycle (${s.processFirst.workers} workers)`,
        `${fixed(s.processFirst.seconds, 2)} s · ${
          int(s.processFirst.predicted / s.processFirst.seconds)
        } customers/s (V8 compiling the engine's code on the same cores)`,
      ],
      [
        `**churn stage, first predictions, ${headline.workers} shard workers (configured)**`,
        `**${fixed(headline.seconds, 2)} s** (median of ${
          s.firstRuns.map((r) => fixed(r.seconds, 2)).join(", ")
        }) · ${int(perSecond)} customers/s · ${headline.shards} shards`,
      ],
      [
        `churn stage, the next hourly cycle (${s.nextHour.workers} workers)`,
        `${fixed(s.nextHour.seconds, 2)} s · ${
          int(s.nextHour.predicted / s.nextHour.seconds)
        } customers/s · ${int(s.nextHour.changed)} events (probability moved ≥ 0.1)`,
      ],
      [
        `churn stage, the next day's first cycle (${s.nextDay.workers} workers)`,
        `${fixed(s.nextDay.seconds, 2)} s · ${
          int(s.nextDay.predicted / s.nextDay.seconds)
        } customers/s · ${int(s.nextDay.logged)} logged · ${int(s.nextDay.updated)} changed`,
      ],
      [
        "churn stage, 1 shard worker",
        `${fixed(one.seconds, 2)} s · ${int(one.predicted / one.seconds)} customers/s`,
      ],
      ["1 worker: features SQL", share(t.features)],
      [
        `1 worker: inference (${s.scorer})`,
        `${share(t.inference)} · ${int(one.predicted / (t.inference / 1000))} rows/s`,
      ],
      ["1 worker: explain and log rows (TypeScript)", share(explainAndRows)],
      ["1 worker: log rows by COPY", share(t.logCopy)],
      ["1 worker: latest predictions and events (COPY)", share(t.latestAndEvents)],
      ["1 worker: drift bins and their row", share(t.driftBins + t.scoringRun + t.otherSql)],
      ["1 worker: planning, shard claims, commits", share(bookkeeping)],
      [
        `features SQL of one shard (${int(s.featuresPlan.customers)} customers), EXPLAIN ANALYZE`,
        planTimes(s.featuresPlan),
      ],
      [
        `naive, one customer at a time (${int(s.naive.customers)} sampled)`,
        `${fixed(s.naive.seconds, 2)} s · ${int(s.naive.perSecond)} customers/s`,
      ],
      ["**ratio stage ÷ naive** (customers/s)", `**${fixed(perSecond / s.naive.perSecond, 1)}×**`],
      [
        "predictions agree (naive sample vs the stage's log)",
        agree
          ? `yes: ${int(s.check.compared)} customers, probabilities within ${
            sci(s.check.maxDifference)
          }, same contributions`
          : `NO: ${s.check.disagreements.length} differ, e.g. ${first?.customerId}: ${first?.what}`,
      ],
      [
        `target: ${int(TARGETS.scoreCustomers)} customers scored < ${TARGETS.scoreSeconds} s`,
        `${met ? "met" : "not met"}: ${fixed(headline.seconds, 2)} s for ${
          int(headline.predicted)
        }${
          measured ? "" : `; ${fixed(projected, 2)} s projected for ${int(TARGETS.scoreCustomers)}`
        }`,
      ],
    ],
  };
}

/** The inference rows, and whether the scorers agree. */
export function inferenceRows(f: InferenceFigures): { rows: Row[]; agree: boolean; met: boolean } {
  const agree = f.maxDifference.single <= PROBABILITY_TOLERANCE &&
    f.maxDifference.typescript <= PROBABILITY_TOLERANCE;
  const met = f.batched.rowsPerSecond >= TARGETS.rowsPerSecond;
  return {
    agree,
    met,
    rows: [
      [
        `**onnxruntime, batches of ${int(f.batched.batchSize)}**`,
        `**${int(f.batched.rowsPerSecond)} rows/s** (median of ${f.batched.passes} passes over ${
          int(f.batched.rows)
        } rows; best ${int(f.batched.bestRowsPerSecond)})`,
      ],
      [
        "onnxruntime, one row per call",
        `${int(f.single.rowsPerSecond)} rows/s (${int(f.single.rows)} rows)`,
      ],
      [
        "**ratio batched ÷ one row per call**",
        `**${fixed(f.batched.rowsPerSecond / f.single.rowsPerSecond, 1)}×**`,
      ],
      [
        `TypeScript evaluator, batches of ${int(f.typescript.batchSize)}`,
        `${int(f.typescript.rowsPerSecond)} rows/s`,
      ],
      ["path attribution (`explain`, top 5), TypeScript", `${int(f.explain.rowsPerSecond)} rows/s`],
      [
        "probabilities agree with the batched ones",
        `${agree ? "yes" : "NO"}: one per call within ${sci(f.maxDifference.single)}, ` +
        `TypeScript within ${sci(f.maxDifference.typescript)} (tolerance ${
          sci(PROBABILITY_TOLERANCE)
        })`,
      ],
      [
        `target: ≥ ${int(TARGETS.rowsPerSecond)} rows/s`,
        met ? "met" : `not met (${int(f.batched.rowsPerSecond)} rows/s)`,
      ],
    ],
  };
}

/** The training rows, and whether both trainers learned alike. */
export function trainingRows(f: TrainingFigures): { rows: Row[]; agree: boolean; met: boolean } {
  const gap = Math.abs(f.sampleEngine.validationLogLoss - f.sampleReference.validationLogLoss);
  const agree = gap <= LOG_LOSS_TOLERANCE;
  const met = f.full.seconds < TARGETS.trainSeconds;
  const run = (r: TrainingFigures["full"]) =>
    `${fixed(r.seconds, 2)} s · ${int(r.rowTreesPerSecond)} rows·trees/s · validation log loss ${
      fixed(r.validationLogLoss, 4)
    }`;
  return {
    agree,
    met,
    rows: [
      [
        "training data (synthetic)",
        `${int(f.full.rows)} rows × ${f.width} features, ${pct(f.missingShare)} missing, ` +
        `${pct(f.positiveRate)} positive; ${int(f.validationRows)} validation rows`,
      ],
      [`**engine trainer, ${int(f.full.rows)} rows, ${f.full.trees} trees**`, `**${run(f.full)}**`],
      [
        `engine trainer, ${int(f.sampleEngine.rows)} rows, ${f.sampleEngine.trees} trees`,
        run(f.sampleEngine),
      ],
      [
        `exact-greedy reference, ${
          int(f.sampleReference.rows)
        } rows, ${f.sampleReference.trees} trees`,
        run(f.sampleReference),
      ],
      [
        "**ratio engine ÷ reference** (rows·trees/s)",
        `**${fixed(f.full.rowTreesPerSecond / f.sampleReference.rowTreesPerSecond, 0)}×** (${
          fixed(f.sampleEngine.rowTreesPerSecond / f.sampleReference.rowTreesPerSecond, 0)
        }× on the same sample)`,
      ],
      [
        "same sample, validation log loss",
        `${agree ? "agrees" : "DIFFERS"}: engine ${fixed(f.sampleEngine.validationLogLoss, 4)}, ` +
        `reference ${fixed(f.sampleReference.validationLogLoss, 4)} (prior ${
          fixed(f.priorLogLoss, 4)
        }; tolerance ${LOG_LOSS_TOLERANCE})`,
      ],
      [
        `target: ${int(f.full.rows)} rows × ${f.width} features < ${TARGETS.trainSeconds} s`,
        `${met ? "met" : "not met"} (${fixed(f.full.seconds, 1)} s)`,
      ],
    ],
  };
}

function planTimes(plan: StatementPlan): string {
  return `planning ${fixed(plan.planningMs, 1)} ms · execution ${fixed(plan.executionMs, 1)} ms`;
}

function int(n: number): string {
  return Math.round(n).toLocaleString("en");
}

function fixed(n: number, digits: number): string {
  return n.toLocaleString("en", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function pct(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

function sci(n: number): string {
  return n === 0 ? "0" : n.toExponential(1);
}

function iso(date: Date): string {
  return date.toISOString().replace(":00.000Z", "Z");
}
