/**
 * A churn model ready to score: its ONNX file decoded and checked against
 * the engine's feature contract, a scorer loaded (onnxruntime-node, else the
 * TypeScript evaluator, which gives the same probabilities), the trees for
 * explanations, and the training distribution for drift.
 */
import { binFeatures, type FeatureReference } from "./drift.ts";
import { churnFeatureNames } from "./features.ts";
import { type ChurnScorer, loadChurnScorer } from "./scorer.ts";
import type { TreeEnsemble } from "./trees.ts";

/** Which scorer to use: onnxruntime when it loads (auto), or always the TypeScript one. */
export type ScorerPreference = "auto" | "onnxruntime" | "typescript";

/** A loaded model. */
export interface ChurnModel {
  version: string;
  featureNames: readonly string[];
  ensemble: TreeEnsemble;
  scorer: ChurnScorer;
  /** The training distribution per feature, when the card has one. */
  reference: FeatureReference[] | null;
  /** Counts of `rows` feature rows per training bin (empty without a reference). */
  binFeatures(values: Float32Array, rows: number): number[][];
}

/**
 * Loads version `version` from its ONNX bytes and card. A file that is not
 * a model of the engine's features is refused (MODEL_INVALID,
 * MODEL_FEATURES_MISMATCH), so it can never become the active model.
 */
export async function loadChurnModel(
  file: { version: string; onnx: Uint8Array; card: Record<string, unknown> },
  options: { scorer: ScorerPreference },
): Promise<ChurnModel> {
  const featureNames = [...churnFeatureNames];
  // Decodes the file, checks it against the engine's features, warms the scorer up.
  const scorer = await loadChurnScorer(file.onnx, {
    prefer: options.scorer === "typescript" ? "typescript" : "onnxruntime",
    featureNames,
  });
  const reference = referenceOf(file.card);
  return {
    version: file.version,
    featureNames,
    ensemble: scorer.model,
    scorer,
    reference,
    binFeatures: (values, rows) =>
      reference ? binFeatures(reference, values, rows, featureNames.length) : [],
  };
}

/** The card's training distribution, if it has one of the same features. */
function referenceOf(card: Record<string, unknown>): FeatureReference[] | null {
  const reference = card.featureReference;
  if (!Array.isArray(reference)) return null;
  const names = reference.map((f) => (f as FeatureReference).name);
  return names.join() === churnFeatureNames.join() ? reference as FeatureReference[] : null;
}
