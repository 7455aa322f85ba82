/**
 * The model card: what a trained churn model was trained on, with which
 * settings, and how it did on rows it never saw. Written as JSON beside the
 * model (the registry and `POST /api/v1/ml/verify` read it back through
 * `modelCardSchema`) and as markdown for people (model_card_markdown.ts).
 *
 * Accuracy always appears next to the majority-class accuracy: on churn data
 * "never churns" is already right most of the time, so accuracy alone says
 * little. Ranking (ROC AUC, PR AUC) and calibration say more.
 */
import { z } from "zod";
import type { GbdtResult } from "./gbdt/mod.ts";
import { gbdtOptionsSchema } from "./gbdt/mod.ts";
import {
  averagePrecision,
  brierScore,
  calibrationTable,
  logLoss,
  majorityClassAccuracy,
  maxF1Threshold,
  metricsAt,
  rocAucInterval,
} from "./metrics.ts";
import { sigmoid } from "./trees.ts";

/** A number, or null where the data leave it undefined (e.g. AUC when one class is absent). */
const metric = z.number().nullable();

const classCountSchema = z.object({
  rows: z.int(),
  positives: z.int(),
  positiveRate: metric,
});

/** Where the training rows came from. */
export const dataSourceSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("csv"),
    file: z.string(),
    labelColumn: z.string(),
    /** How train and test rows were separated. */
    split: z.string(),
    categorical: z.enum(["one-hot", "ordinal"]),
    ignoredColumns: z.array(
      z.object({ column: z.string(), reason: z.enum(["listed", "identifier"]) }),
    ),
  }),
  z.object({
    kind: z.literal("database"),
    /** Snapshot dates of the labelled rows (ISO 8601). */
    window: z.object({ from: z.string(), to: z.string() }),
    /** A customer counts as churned when it churned within this many days of its snapshot. */
    horizonDays: z.int(),
    description: z.string(),
  }),
]);

/** Figures on the held-out test rows. */
export const holdoutMetricsSchema = z.object({
  rows: z.int(),
  rocAuc: metric,
  rocAucInterval: z.object({
    low: metric,
    high: metric,
    level: z.number(),
    method: z.literal("DeLong"),
  }),
  /** Average precision, as scikit-learn's average_precision_score. */
  prAuc: metric,
  accuracy: z.number(),
  majorityClassAccuracy: z.number(),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  confusion: z.object({
    truePositives: z.int(),
    falsePositives: z.int(),
    trueNegatives: z.int(),
    falseNegatives: z.int(),
  }),
  brier: z.number(),
  logLoss: z.number(),
  calibration: z.array(z.object({
    low: z.number(),
    high: z.number(),
    count: z.int(),
    meanPredicted: metric,
    observedRate: metric,
  })),
});

/** The whole card. */
export const modelCardSchema = z.object({
  schemaVersion: z.literal(1),
  model: z.object({
    kind: z.literal("gradient-boosted-trees"),
    objective: z.literal("binary-logistic"),
    trainedAt: z.string(),
  }),
  data: z.object({
    source: dataSourceSchema,
    rows: z.object({ train: z.int(), validation: z.int(), test: z.int() }),
    classBalance: z.object({
      train: classCountSchema,
      validation: classCountSchema,
      test: classCountSchema,
    }),
  }),
  /** Model inputs in order. */
  features: z.array(z.string()),
  /** Share of total split gain per feature, largest first. */
  importances: z.array(z.object({ feature: z.string(), importance: z.number() })),
  hyperparameters: gbdtOptionsSchema,
  training: z.object({
    treesUsed: z.int(),
    treesGrown: z.int(),
    stoppedEarly: z.boolean(),
    bestValidationLogLoss: metric,
    /** Validation log loss after each tree grown. */
    validationCurve: z.array(z.number()),
    durationMs: z.number(),
  }),
  threshold: z.object({
    value: z.number(),
    method: z.enum(["fixed", "max-f1-validation"]),
    description: z.string(),
  }),
  metrics: z.object({ test: holdoutMetricsSchema }),
  /**
   * The first test rows (NaN written as null) with the probabilities the
   * trainer's own evaluator gave them, so a loaded scorer can be checked
   * against training (`POST /api/v1/ml/verify`). Absent for models trained
   * elsewhere.
   */
  checkSet: z.object({
    rows: z.array(z.array(z.number().nullable())),
    probabilities: z.array(z.number()),
  }).optional(),
  // Other parts of the engine may add their own keys (e.g. a drift reference); they survive parsing.
}).loose();

/** A model card (JSON). */
export type ModelCard = z.infer<typeof modelCardSchema>;
/** Where training rows came from. */
export type DataSource = z.infer<typeof dataSourceSchema>;
/** Figures on held-out rows. */
export type HoldoutMetrics = z.infer<typeof holdoutMetricsSchema>;

/** How to pick the probability at or above which a customer is predicted to churn. */
export type ThresholdRule = { method: "fixed"; value: number } | { method: "max-f1" };

/** The threshold a card reports metrics at. */
export type ThresholdChoice = ModelCard["threshold"];

/**
 * Picks the threshold: a fixed value (default 0.5), or the one with the
 * highest F1 on the validation rows (never the test rows, which must stay
 * unseen). `trainingLabels` are the labels of the rows given to trainGbdt.
 */
export function chooseThreshold(
  training: GbdtResult,
  trainingLabels: Uint8Array,
  rule: ThresholdRule = { method: "fixed", value: 0.5 },
): ThresholdChoice {
  if (rule.method === "fixed") {
    return {
      value: rule.value,
      method: "fixed",
      description: `fixed at ${rule.value}: churn predicted when p >= ${rule.value}`,
    };
  }
  const probabilities = training.validationScores.map(sigmoid);
  const labels = Uint8Array.from(training.validationRows, (r) => trainingLabels[r]!);
  const value = maxF1Threshold(probabilities, labels);
  return {
    value,
    method: "max-f1-validation",
    description: `the highest F1 on the ${labels.length} validation rows: ` +
      `churn predicted when p >= ${value.toFixed(4)}`,
  };
}

/** Every held-out figure of `probabilities` against `labels` at `threshold`. */
export function evaluateHoldout(
  probabilities: Float64Array,
  labels: Uint8Array,
  threshold = 0.5,
): HoldoutMetrics {
  const { auc, interval } = rocAucInterval(probabilities, labels);
  const at = metricsAt(probabilities, labels, threshold);
  return {
    rows: labels.length,
    rocAuc: finite(auc),
    rocAucInterval: {
      low: finite(interval.low),
      high: finite(interval.high),
      level: interval.level,
      method: "DeLong",
    },
    prAuc: finite(averagePrecision(probabilities, labels)),
    accuracy: at.accuracy,
    majorityClassAccuracy: majorityClassAccuracy(labels),
    precision: at.precision,
    recall: at.recall,
    f1: at.f1,
    confusion: at.confusion,
    brier: brierScore(probabilities, labels),
    logLoss: logLoss(probabilities, labels),
    calibration: calibrationTable(probabilities, labels),
  };
}

/** What a card is built from. */
export interface ModelCardInput {
  source: DataSource;
  trainedAt: Date;
  training: GbdtResult;
  /** The labels of the rows given to trainGbdt (training and validation rows). */
  trainingLabels: Uint8Array;
  /** The test rows: row-major features, the model's probabilities for them, their labels. */
  test: { features: Float32Array; probabilities: Float64Array; labels: Uint8Array };
  threshold: ThresholdChoice;
}

/** Test rows kept in the card's check set. */
export const CHECK_SET_ROWS = 200;

/** Builds the card of a trained model from its training result and its test predictions. */
export function buildModelCard(input: ModelCardInput): ModelCard {
  const { training, trainingLabels, test } = input;
  const trainLabels = Uint8Array.from(training.trainRows, (r) => trainingLabels[r]!);
  const validationLabels = Uint8Array.from(training.validationRows, (r) => trainingLabels[r]!);
  const curve = training.validationCurve;
  return {
    schemaVersion: 1,
    model: {
      kind: "gradient-boosted-trees",
      objective: "binary-logistic",
      trainedAt: input.trainedAt.toISOString(),
    },
    data: {
      source: input.source,
      rows: {
        train: trainLabels.length,
        validation: validationLabels.length,
        test: test.labels.length,
      },
      classBalance: {
        train: classCount(trainLabels),
        validation: classCount(validationLabels),
        test: classCount(test.labels),
      },
    },
    features: [...training.model.featureNames],
    importances: training.importances,
    hyperparameters: training.options,
    training: {
      treesUsed: training.treesUsed,
      treesGrown: training.treesGrown,
      stoppedEarly: training.stoppedEarly,
      bestValidationLogLoss: training.treesUsed > 0 && curve.length >= training.treesUsed
        ? curve[training.treesUsed - 1]!
        : null,
      validationCurve: curve,
      durationMs: Math.round(training.durationMs),
    },
    threshold: input.threshold,
    metrics: { test: evaluateHoldout(test.probabilities, test.labels, input.threshold.value) },
    checkSet: checkSetOf(test.features, training.model.featureNames.length, test.probabilities),
  };
}

function checkSetOf(features: Float32Array, width: number, probabilities: Float64Array) {
  const rows = Math.min(CHECK_SET_ROWS, probabilities.length);
  return {
    rows: Array.from(
      { length: rows },
      (_, r) =>
        Array.from(
          features.subarray(r * width, (r + 1) * width),
          (x) => Number.isNaN(x) ? null : x,
        ),
    ),
    probabilities: Array.from(probabilities.subarray(0, rows)),
  };
}

function classCount(labels: Uint8Array): z.infer<typeof classCountSchema> {
  const positives = labels.reduce((sum, label) => sum + label, 0);
  return {
    rows: labels.length,
    positives,
    positiveRate: labels.length > 0 ? positives / labels.length : null,
  };
}

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

export { renderModelCardMarkdown } from "./model_card_markdown.ts";
