/**
 * The boosting loop: bins the data, grows one tree per round on the
 * logistic loss's gradients, watches the log loss of a stratified
 * validation part and keeps the trees up to its best round.
 */
import { EngineError } from "../../errors.ts";
import type { TreeEnsemble } from "../trees.ts";
import { binRows, fitBinEdges, valueBinCount } from "./binning.ts";
import { histogramLayout } from "./histogram.ts";
import { classWeights, logisticGradients, priorLogOdds, weightedLogLoss } from "./loss.ts";
import { type GbdtOptions, type GbdtOptionsInput, resolveGbdtOptions } from "./options.ts";
import { stratifiedSplit } from "./split.ts";
import { type GrownTree, TreeGrower } from "./tree_builder.ts";

/** Rows to learn from: row-major features (NaN = missing) and 0/1 labels. */
export interface TrainingSet {
  featureNames: readonly string[];
  /** `labels.length` rows of `featureNames.length` values each, row after row. */
  features: Float32Array | Float64Array;
  labels: Uint8Array;
}

/** Reported after every tree, so a command can show progress. */
export interface GbdtProgress {
  /** Trees grown so far (1-based). */
  tree: number;
  maxTrees: number;
  /** Validation log loss after this tree; null without a validation part. */
  validationLoss: number | null;
  /** The round with the lowest validation log loss so far. */
  bestTree: number;
}

/** One feature's share of the total split gain (shares sum to 1 unless no split was made). */
export interface FeatureImportance {
  feature: string;
  importance: number;
}

/** Options of `trainGbdt`: hyperparameters and a progress callback. */
export type TrainGbdtOptions = GbdtOptionsInput & {
  onProgress?: ((progress: GbdtProgress) => void) | undefined;
};

/** A trained model and how training went. */
export interface GbdtResult {
  model: TreeEnsemble;
  options: GbdtOptions;
  /** Every feature, largest importance first. */
  importances: FeatureImportance[];
  /** Validation log loss after each tree grown (index 0: after tree 1), including trees dropped. */
  validationCurve: number[];
  /** Trees grown before stopping. */
  treesGrown: number;
  /** Trees kept: those up to the best validation round. */
  treesUsed: number;
  stoppedEarly: boolean;
  /** Positions (in the training set) of the rows trees were grown on, and of the validation rows. */
  trainRows: Uint32Array;
  validationRows: Uint32Array;
  /** Raw scores (log-odds) of those rows under the kept trees, as training computed them. */
  trainScores: Float64Array;
  validationScores: Float64Array;
  durationMs: number;
}

/** Relative improvement of validation loss that counts as better (scikit-learn's tol). */
const TOLERANCE = 1e-7;

/** Trains a gradient-boosted tree classifier on logistic loss. */
export function trainGbdt(data: TrainingSet, options: TrainGbdtOptions = {}): GbdtResult {
  const started = performance.now();
  const { onProgress, ...hyper } = options;
  const opts = resolveGbdtOptions(hyper);
  const width = data.featureNames.length;
  checkShape(data, width);
  checkFinite(data, width);

  const { kept: trainRows, heldOut: validationRows } = opts.validationFraction > 0
    ? stratifiedSplit(data.labels, opts.validationFraction, opts.seed)
    : { kept: Uint32Array.from(data.labels.keys()), heldOut: new Uint32Array(0) };
  const trainLabels = Uint8Array.from(trainRows, (r) => data.labels[r]!);
  checkBothClasses(trainLabels);
  // Weights come from the rows trees learn from, so their weighted prior is exactly even.
  const weights = classWeights(trainLabels, opts.classWeight);
  const train = part(data.labels, weights, trainRows);
  const valid = part(data.labels, weights, validationRows);

  const bins = fitBinEdges(data.features, width, trainRows, opts.maxBins);
  const trainBinned = binRows(bins, data.features, width, trainRows);
  const validBinned = binRows(bins, data.features, width, validationRows);
  const grower = new TreeGrower({
    binned: trainBinned,
    n: trainRows.length,
    bins,
    layout: histogramLayout(bins),
    maxDepth: opts.maxDepth,
    minSamplesLeaf: opts.minSamplesLeaf,
    l2: opts.l2,
    learningRate: opts.learningRate,
  });
  const valueBins = Uint16Array.from(bins.edges, valueBinCount);

  const baseScore = priorLogOdds(train.labels, train.weights);
  const scores = new Float64Array(trainRows.length).fill(baseScore);
  const validScores = new Float64Array(validationRows.length).fill(baseScore);
  const gradients = new Float64Array(trainRows.length);
  const hessians = new Float64Array(trainRows.length);
  const grown: GrownTree[] = [];
  const validationCurve: number[] = [];
  const hasValidation = validationRows.length > 0;
  let best = { tree: 0, loss: Infinity };
  let bestTrain = scores.slice(), bestValid = validScores.slice();

  for (let t = 1; t <= opts.maxTrees; t++) {
    logisticGradients(scores, train.labels, train.weights, gradients, hessians);
    const tree = grower.grow(gradients, hessians, scores);
    grown.push(tree);
    addTree(tree, validBinned, validationRows.length, valueBins, validScores);
    const loss = hasValidation ? weightedLogLoss(validScores, valid.labels, valid.weights) : null;
    if (loss !== null) validationCurve.push(loss);
    if (loss === null || loss < best.loss * (1 - TOLERANCE) || !opts.earlyStoppingRounds) {
      best = { tree: t, loss: loss ?? NaN };
      bestTrain = scores.slice();
      bestValid = validScores.slice();
    }
    onProgress?.({ tree: t, maxTrees: opts.maxTrees, validationLoss: loss, bestTree: best.tree });
    if (opts.earlyStoppingRounds && hasValidation && t - best.tree >= opts.earlyStoppingRounds) {
      break;
    }
  }

  const kept = grown.slice(0, best.tree);
  return {
    model: { featureNames: [...data.featureNames], baseScore, trees: kept.map((g) => g.tree) },
    options: opts,
    importances: importancesOf(kept, data.featureNames),
    validationCurve,
    treesGrown: grown.length,
    treesUsed: kept.length,
    stoppedEarly: grown.length < opts.maxTrees,
    trainRows,
    validationRows,
    trainScores: bestTrain,
    validationScores: bestValid,
    durationMs: performance.now() - started,
  };
}

/** Adds `grown`'s leaf values to `scores` of `n` column-major binned rows. */
function addTree(
  grown: GrownTree,
  binned: Uint8Array,
  n: number,
  valueBins: Uint16Array,
  scores: Float64Array,
): void {
  const { feature, missingLeft, left, right, value } = grown.tree;
  const splitBin = grown.splitBin;
  for (let i = 0; i < n; i++) {
    let node = 0;
    while (left[node]! >= 0) {
      const f = feature[node]!;
      const bin = binned[f * n + i]!;
      const goLeft = bin === valueBins[f] ? missingLeft[node]! : bin <= splitBin[node]!;
      node = goLeft ? left[node]! : right[node]!;
    }
    scores[i]! += value[node]!;
  }
}

function importancesOf(trees: GrownTree[], names: readonly string[]): FeatureImportance[] {
  const gains = new Float64Array(names.length);
  for (const tree of trees) tree.gains.forEach((gain, f) => (gains[f]! += gain));
  const total = gains.reduce((sum, gain) => sum + gain, 0);
  return names
    .map((feature, f) => ({ feature, importance: total > 0 ? gains[f]! / total : 0 }))
    .sort((a, b) => b.importance - a.importance);
}

function part(
  labels: Uint8Array,
  weights: { negative: number; positive: number },
  rows: Uint32Array,
) {
  return {
    labels: Uint8Array.from(rows, (r) => labels[r]!),
    weights: Float64Array.from(rows, (r) => (labels[r] ? weights.positive : weights.negative)),
  };
}

function checkShape(data: TrainingSet, width: number): void {
  if (width === 0 || data.features.length !== data.labels.length * width) {
    throw new EngineError(
      "DATASET_INVALID",
      `The training set has ${data.features.length} values for ${data.labels.length} rows of ` +
        `${width} features; it needs rows × features values and at least one feature`,
    );
  }
}

/**
 * Features must be NaN (missing) or finite as float32: the trees compare in
 * float32, and a value that rounds to ±Infinity there would pass a
 * "every value left" split during training but not when scored.
 */
function checkFinite(data: TrainingSet, width: number): void {
  const { features } = data;
  for (let i = 0; i < features.length; i++) {
    const x = features[i]!;
    if (Number.isNaN(x) || Number.isFinite(Math.fround(x))) continue;
    const row = Math.floor(i / width);
    throw new EngineError(
      "DATASET_INVALID",
      `Feature "${data.featureNames[i % width]}" of training row ${row} is ${x}, ` +
        "outside the float32 range the model compares in; use NaN for a missing value",
    );
  }
}

function checkBothClasses(labels: Uint8Array): void {
  const positives = labels.reduce((sum, label) => sum + label, 0);
  if (positives === 0 || positives === labels.length) {
    throw new EngineError(
      "DATASET_INVALID",
      `The training rows hold only label ${positives === 0 ? 0 : 1} (${labels.length} rows); ` +
        "a classifier needs both classes",
    );
  }
}
