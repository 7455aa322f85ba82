/**
 * A gradient-boosted tree ensemble for binary classification, as the trainer
 * writes it and the ONNX file carries it: the probability is
 * sigmoid(baseScore + the sum of one leaf value per tree). The TypeScript
 * evaluator here scores exactly as onnxruntime does (thresholds and inputs
 * compared as 32-bit floats, `x <= threshold` goes left, a missing value —
 * NaN — goes where the node says), so it can stand in where onnxruntime
 * cannot load, and it explains each prediction by its path through the trees.
 */
import { TopContributions } from "./top_contributions.ts";
import { flatTrees } from "./tree_paths.ts";

/**
 * One tree as parallel arrays, node 0 the root. A node is a leaf when
 * `left[i]` is -1. Thresholds are float32 values (Math.fround).
 */
export interface Tree {
  feature: number[];
  threshold: number[];
  /** A missing value (NaN) goes left. */
  missingLeft: boolean[];
  left: number[];
  right: number[];
  /**
   * A leaf's value is its raw-score contribution (learning rate applied). An
   * internal node's is the cover-weighted mean of its leaves': what the tree
   * predicts before that node's split is known, for path attribution.
   */
  value: number[];
  /** Training weight (sum of hessians) that reached the node. */
  cover: number[];
}

/** A tree with no nodes yet, for a builder to push nodes into. */
export function emptyTree(): Tree {
  return { feature: [], threshold: [], missingLeft: [], left: [], right: [], value: [], cover: [] };
}

/** Appends a leaf with no value to `tree` (a builder then fills it in or splits it); returns its id. */
export function addNode(tree: Tree): number {
  tree.feature.push(0);
  tree.threshold.push(0);
  tree.missingLeft.push(false);
  tree.left.push(-1);
  tree.right.push(-1);
  tree.value.push(0);
  tree.cover.push(0);
  return tree.left.length - 1;
}

/** The model: features by position, a base score (log-odds) and trees. */
export interface TreeEnsemble {
  featureNames: string[];
  baseScore: number;
  trees: Tree[];
}

/** One feature's part in a prediction, in log-odds. */
export interface Contribution {
  feature: string;
  /** Log-odds this feature added (positive: towards churn). */
  contribution: number;
}

const f32 = Math.fround;

/** The leaf `row` reaches in `tree`. */
function leafOf(tree: Tree, row: ArrayLike<number>): number {
  let node = 0;
  while (tree.left[node]! >= 0) {
    const x = row[tree.feature[node]!]!;
    const goLeft = Number.isNaN(x) ? tree.missingLeft[node]! : f32(x) <= tree.threshold[node]!;
    node = goLeft ? tree.left[node]! : tree.right[node]!;
  }
  return node;
}

/** The raw score (log-odds) of one row. */
export function rawScore(model: TreeEnsemble, row: ArrayLike<number>): number {
  let sum = model.baseScore;
  for (const tree of model.trees) sum += tree.value[leafOf(tree, row)]!;
  return sum;
}

/** The logistic function. */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * Churn probabilities of `rows` rows of `model.featureNames.length` values
 * each, row after row in `features` (NaN for a missing value).
 */
export function predictProbabilities(model: TreeEnsemble, features: Float32Array): Float64Array {
  const width = model.featureNames.length;
  const rows = width === 0 ? 0 : features.length / width;
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    out[r] = sigmoid(rawScore(model, features.subarray(r * width, (r + 1) * width)));
  }
  return out;
}

/**
 * Why one row scores as it does: each split on its path moves the tree's
 * expectation from the node's value to the child's, and that move is
 * credited to the split's feature (Saabas path attribution). The
 * contributions add up to the raw score minus `bias` (the base score plus
 * every tree's root value). Features are returned largest effect first;
 * `limit` keeps the top ones.
 */
export function explain(
  model: TreeEnsemble,
  row: ArrayLike<number>,
  limit = Infinity,
): { bias: number; contributions: Contribution[] } {
  const top = new TopContributions(model, Math.min(limit, model.featureNames.length));
  const count = top.explain(row);
  const contributions: Contribution[] = [];
  for (let k = 0; k < count; k++) {
    contributions.push({
      feature: model.featureNames[top.features[k]!]!,
      contribution: top.contributions[k]!,
    });
  }
  return { bias: flatTrees(model).bias, contributions };
}
