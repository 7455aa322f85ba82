/**
 * A gradient-boosted decision tree classifier (logistic loss) with
 * histogram-based splits, learned missing-value directions, L2-regularized
 * leaves, class weights and early stopping on a stratified validation part.
 * It writes the shared model type of engine/ml/trees.ts.
 *
 * Written here rather than taken from npm: what npm offers is exact CART
 * (ml-cart), random forests (ml-random-forest) or an old, little-used
 * WebAssembly build of XGBoost (ml-xgboost); none writes float32 thresholds,
 * learned missing directions and cover-weighted node values, which the ONNX
 * export and path attribution need to score exactly as training did.
 *
 * @example
 * ```ts
 * const { model, importances } = trainGbdt(
 *   { featureNames: ["tenure", "charges"], features, labels },
 *   { maxTrees: 200, onProgress: (p) => console.log(p.tree, p.validationLoss) },
 * );
 * ```
 */
export {
  type FeatureImportance,
  type GbdtProgress,
  type GbdtResult,
  trainGbdt,
  type TrainGbdtOptions,
  type TrainingSet,
} from "./train.ts";
export {
  type GbdtOptions,
  type GbdtOptionsInput,
  gbdtOptionsSchema,
  MAX_BINS,
  resolveGbdtOptions,
} from "./options.ts";
export { type RowSplit, stratifiedSplit } from "./split.ts";
export { ALL_VALUES_THRESHOLD } from "./tree_builder.ts";
export { seededUniform } from "./random.ts";
