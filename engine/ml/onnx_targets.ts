/**
 * How a tree operator turns leaves into the churn log-odds, checked so that
 * onnxruntime's probability is sigmoid(base + sum of leaves) — what the
 * TypeScript evaluator computes.
 *
 * TreeEnsembleRegressor (ours): SUM over one target, no post-transform (the
 * Sigmoid node follows). A binary TreeEnsembleClassifier (skl2onnx,
 * onnxmltools): all weights on class 0 with post_transform LOGISTIC, where
 * onnxruntime reports [sigmoid(-s), sigmoid(s)] for s = base_values[0] +
 * the weights, so column 1 (the second class label) is the churn
 * probability. onnxruntime applies no logistic when no weight is negative,
 * so such a classifier is refused rather than scored differently.
 */
import { modelInvalid, modelUnsupported } from "./model_errors.ts";
import type { NodeAttributes } from "./onnx_attributes.ts";
import type { LeafWeights } from "./onnx_trees.ts";

/** The leaf weights and the base score (log-odds). */
export interface Targets {
  leaves: LeafWeights;
  baseScore: number;
}

/** Targets of our TreeEnsembleRegressor. */
export function regressorTargets(attributes: NodeAttributes): Targets {
  const aggregate = attributes.string("aggregate_function", "SUM");
  if (aggregate !== "SUM") {
    modelUnsupported(`its trees aggregate with ${aggregate}; boosting sums them (SUM)`);
  }
  const transform = attributes.string("post_transform", "NONE");
  if (transform !== "NONE") {
    modelUnsupported(
      `its TreeEnsembleRegressor has post_transform ${transform}; use NONE and a Sigmoid node`,
    );
  }
  const targets = attributes.int("n_targets", 1);
  if (targets !== 1) {
    modelUnsupported(`it predicts ${targets} targets; the churn model predicts one`);
  }
  const leaves = {
    treeIds: attributes.ints("target_treeids"),
    nodeIds: attributes.ints("target_nodeids"),
    targetIds: attributes.ints("target_ids"),
    weights: attributes.floats("target_weights"),
  };
  return { leaves: checked(leaves, "target"), baseScore: baseScore(attributes) };
}

/** Targets of a binary TreeEnsembleClassifier as skl2onnx / onnxmltools write it. */
export function classifierTargets(attributes: NodeAttributes): Targets {
  const labels = Math.max(
    attributes.ints("classlabels_int64s").length,
    attributes.strings("classlabels_strings").length,
  );
  if (labels !== 2) {
    modelUnsupported(`it is a classifier of ${labels} classes; churn is binary (2 classes)`);
  }
  const transform = attributes.string("post_transform", "NONE");
  if (transform !== "LOGISTIC") {
    modelUnsupported(
      `its TreeEnsembleClassifier has post_transform ${transform}; a gradient-boosted binary ` +
        "classifier uses LOGISTIC (random forests and raw scores are not scored)",
    );
  }
  const leaves = {
    treeIds: attributes.ints("class_treeids"),
    nodeIds: attributes.ints("class_nodeids"),
    targetIds: attributes.ints("class_ids"),
    weights: attributes.floats("class_weights"),
  };
  if (leaves.targetIds.some((id) => id !== 0)) {
    modelUnsupported(
      "its class weights are not all for class 0; a binary classifier carries the log-odds of " +
        "the second class on class 0, as skl2onnx and onnxmltools write it",
    );
  }
  if (!leaves.weights.some((w) => w < 0)) {
    modelUnsupported(
      "none of its class weights is negative, so onnxruntime would read them as probabilities, " +
        "not log-odds; this is not a gradient-boosted classifier",
    );
  }
  return { leaves: checked(leaves, "class"), baseScore: baseScore(attributes) };
}

function checked(leaves: LeafWeights, prefix: string): LeafWeights {
  const n = leaves.treeIds.length;
  if (leaves.nodeIds.length !== n || leaves.targetIds.length !== n || leaves.weights.length !== n) {
    modelInvalid(`its ${prefix}_* attributes have different lengths`);
  }
  if (leaves.targetIds.some((id) => id !== 0)) {
    modelInvalid(`its ${prefix}_ids name a target other than 0`);
  }
  if (!leaves.weights.every(Number.isFinite)) {
    modelInvalid(`its ${prefix}_weights are not all finite`);
  }
  return leaves;
}

function baseScore(attributes: NodeAttributes): number {
  if (attributes.has("base_values_as_tensor")) doubles("base_values_as_tensor");
  const base = attributes.floats("base_values");
  if (base.length > 1) {
    modelUnsupported(
      `it has ${base.length} base_values; a binary model has one (the base log-odds)`,
    );
  }
  const value = base[0] ?? 0;
  if (!Number.isFinite(value)) modelInvalid("its base value is not finite");
  return value;
}

/**
 * The double-precision `*_as_tensor` attributes belong with double input;
 * with float32 input the engine cannot be sure onnxruntime reads them as it
 * would, so they are refused.
 */
export function rejectDoubleAttributes(attributes: NodeAttributes): void {
  for (
    const name of ["nodes_values_as_tensor", "target_weights_as_tensor", "class_weights_as_tensor"]
  ) {
    if (attributes.has(name)) doubles(name);
  }
}

function doubles(name: string): never {
  return modelUnsupported(
    `it stores ${name} (double precision) while its input is float32; convert it with float32 ` +
      "thresholds and weights",
  );
}
