/**
 * The training benchmark: the engine's histogram trainer (`trainGbdt`) on
 * 100,000 synthetic rows × 20 features for its full 300 trees (early
 * stopping off), and, on the same first rows of the same data, the engine
 * trainer against the exact-greedy reference (bench/ml/exact_trainer.ts)
 * with the same trees and hyperparameters: time per row·tree, and the log
 * loss both reach on held-out rows — similar losses show the fast trainer
 * does the same learning, not less.
 */
import { bar } from "../health/progress.ts";
import { predictProbabilities, trainGbdt } from "../../engine/ml/mod.ts";
import { type ExactOptions, predictExact, trainExact } from "./exact_trainer.ts";
import { head, logLoss, type SyntheticSet, syntheticTrainingSet } from "./synthetic.ts";

/** What the training benchmark is asked to do. */
export interface TrainingPlan {
  rows: number;
  width: number;
  missing: number;
  trees: number;
  referenceRows: number;
  referenceTrees: number;
  validationRows: number;
  seed: number;
}

/** One trainer's run. */
export interface TrainerRun {
  rows: number;
  trees: number;
  seconds: number;
  /** Rows × trees per second. */
  rowTreesPerSecond: number;
  validationLogLoss: number;
}

/** The training figures. */
export interface TrainingFigures {
  width: number;
  validationRows: number;
  positiveRate: number;
  missingShare: number;
  /** Log loss of predicting the training positive rate for every validation row. */
  priorLogLoss: number;
  full: TrainerRun;
  sampleEngine: TrainerRun;
  sampleReference: TrainerRun;
}

const HYPER = { maxDepth: 6, minSamplesLeaf: 20, l2: 1, learningRate: 0.1 } as const;

/** Runs the three trainings with progress bars. */
export function measureTraining(plan: TrainingPlan): TrainingFigures {
  const data = syntheticTrainingSet(plan.rows, { ...plan, seed: plan.seed });
  const validation = syntheticTrainingSet(plan.validationRows, { ...plan, seed: plan.seed + 1 });
  const positiveRate = data.labels.reduce((sum, y) => sum + y, 0) / plan.rows;
  const missingShare = data.features.reduce((n, x) => n + (Number.isNaN(x) ? 1 : 0), 0) /
    data.features.length;

  const full = engineRun(data, validation, plan.trees, "Training 100,000 rows (engine)");
  const sample = head(data, plan.referenceRows);
  const sampleEngine = engineRun(
    sample,
    validation,
    plan.referenceTrees,
    "Training sample (engine)",
  );
  const sampleReference = referenceRun(sample, validation, {
    trees: plan.referenceTrees,
    ...HYPER,
  });
  return {
    width: plan.width,
    validationRows: plan.validationRows,
    positiveRate,
    missingShare,
    priorLogLoss: logLoss(
      new Float64Array(validation.labels.length).fill(positiveRate),
      validation.labels,
    ),
    full,
    sampleEngine,
    sampleReference,
  };
}

function engineRun(
  data: SyntheticSet,
  validation: SyntheticSet,
  trees: number,
  label: string,
): TrainerRun {
  const rows = data.labels.length;
  const progress = bar(label.replace("100,000", rows.toLocaleString("en")), trees);
  const started = performance.now();
  const result = trainGbdt(data, {
    ...HYPER,
    maxTrees: trees,
    earlyStoppingRounds: 0,
    validationFraction: 0,
    onProgress: (p) => progress.update(p.tree),
  });
  const seconds = (performance.now() - started) / 1000;
  progress.done(`${result.treesUsed} trees`);
  const p = predictProbabilities(result.model, validation.features);
  return {
    rows,
    trees: result.treesUsed,
    seconds,
    rowTreesPerSecond: (rows * result.treesUsed) / seconds,
    validationLogLoss: logLoss(p, validation.labels),
  };
}

function referenceRun(
  data: SyntheticSet,
  validation: SyntheticSet,
  options: ExactOptions,
): TrainerRun {
  const rows = data.labels.length;
  const progress = bar(
    `Training sample (exact-greedy reference, ${rows.toLocaleString("en")} rows)`,
    options.trees,
  );
  const started = performance.now();
  const model = trainExact(
    { features: data.features, labels: data.labels, width: data.featureNames.length },
    options,
    (tree) => progress.update(tree),
  );
  const seconds = (performance.now() - started) / 1000;
  progress.done(`${model.trees.length} trees`);
  return {
    rows,
    trees: model.trees.length,
    seconds,
    rowTreesPerSecond: (rows * model.trees.length) / seconds,
    validationLogLoss: logLoss(predictExact(model, validation.features), validation.labels),
  };
}
