/**
 * Churn prediction: the features (one definition for training and scoring),
 * the tree ensemble and its evaluator, ONNX export and import, scorers
 * (onnxruntime-node, or the TypeScript evaluator), the model registry, batch
 * scoring into churn_prediction_logs, drift and monitoring.
 *
 * @example
 * ```ts
 * const models = new ChurnModels({ db, scorer: "auto", log });
 * await models.warmUp();
 * ```
 */
export {
  buildFeatures,
  churnFeatureNames,
  churnFeatures,
  FEATURE_CONTRACT,
  type FeatureBatch,
  type FeatureDefinition,
} from "./features.ts";
export {
  type Contribution,
  explain,
  predictProbabilities,
  rawScore,
  sigmoid,
  type Tree,
  type TreeEnsemble,
} from "./trees.ts";
export {
  binFeatures,
  type FeatureReference,
  featureReference,
  populationStabilityIndex,
  PSI_MODERATE,
  PSI_SHIFTED,
} from "./drift.ts";
export {
  activateModel,
  activeModelVersion,
  fileSha256,
  getActiveModel,
  getModel,
  getModelFile,
  listModels,
  type ModelSummary,
  type NewModel,
  previousModelVersion,
  registerModel,
  rejectModel,
} from "./registry.ts";
export { type ChurnModel, loadChurnModel, type ScorerPreference } from "./loaded_model.ts";
export { ChurnModels, type ChurnModelStatus } from "./models.ts";
export { predictBatch, type PredictOptions, type PredictResult } from "./predict_batch.ts";
export {
  type CustomerPrediction,
  getCustomerPrediction,
  latestChurnPredictions,
  type PredictionSummary,
} from "./prediction_reader.ts";
export { type CheckSet, type ModelVerification, VERIFY_TOLERANCE, verifyModel } from "./verify.ts";
export {
  computeModelPerformance,
  latestModelPerformance,
  type ModelPerformance,
} from "./performance.ts";
export { type DriftReport, driftReport } from "./drift_report.ts";
export { type FeatureDrift, featureDrift } from "./drift.ts";
export {
  buildTrainingSet,
  inTestSplit,
  type SnapshotOptions,
  type SnapshotSet,
} from "./training_data.ts";
export { encodeOnnxModel, type OnnxExportMeta } from "./onnx_export.ts";
export { type DecodedOnnxModel, decodeOnnxModel } from "./onnx_import.ts";
export type { OnnxGraphContract } from "./onnx_graph.ts";
export { MODEL_CONTRACT } from "./onnx_contract.ts";
export {
  type ChurnScorer,
  loadChurnScorer,
  type LoadChurnScorerOptions,
  type OnnxRuntime,
} from "./scorer.ts";
export {
  trainFromDatabase,
  type TrainFromDatabaseOptions,
  type TrainFromDatabaseResult,
} from "./train_database.ts";
export { nextModelVersion, trainChurnModel, type TrainedChurnModel } from "./train_churn_model.ts";
export { retrainChurnModel, type RetrainOutcome } from "./retrain.ts";
export { trainFromCsv, type TrainFromCsvOptions, type TrainFromCsvResult } from "./train_csv.ts";
export { type ModelCard, renderModelCardMarkdown, type ThresholdRule } from "./model_card.ts";
export { rocAuc } from "./metrics.ts";
export { type GbdtOptionsInput, type GbdtProgress, seededUniform, trainGbdt } from "./gbdt/mod.ts";
export { trainFirstModel } from "./first_model.ts";
