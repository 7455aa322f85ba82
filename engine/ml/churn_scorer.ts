/**
 * The scorer port: churn probabilities for batches of feature rows. Two
 * implementations score the same trees — onnxruntime-node, and the
 * TypeScript evaluator where onnxruntime cannot load — so callers never
 * care which one runs; health reports `kind` and `reason`.
 */
import { EngineError } from "../errors.ts";
import type { TreeEnsemble } from "./trees.ts";

/** Scores feature rows with one loaded model. */
export interface ChurnScorer {
  readonly kind: "onnxruntime" | "typescript";
  /** Why onnxruntime is not the scorer, when `kind` is "typescript". */
  readonly reason?: string;
  /** The trees being scored (for explanations); the same whichever `kind` runs. */
  readonly model: TreeEnsemble;
  /** The model version the file names (`cs.model_version`), if any. */
  readonly version: string | null;
  /**
   * Probabilities of `rows` rows, read row after row from `features`
   * (`model.featureNames.length` values each, NaN where missing).
   */
  score(features: Float32Array, rows: number): Promise<Float64Array>;
  /** Frees the native session; the scorer cannot score afterwards. */
  close(): Promise<void>;
}

/** The first `rows` rows of `features`, or an error when there are fewer values. */
export function batchOf(features: Float32Array, rows: number, width: number): Float32Array {
  const size = rows * width;
  if (!Number.isInteger(rows) || rows < 0 || features.length < size) {
    throw new EngineError(
      "INTERNAL",
      `Cannot score ${rows} rows of ${width} features from ${features.length} values`,
    );
  }
  return size === features.length ? features : features.subarray(0, size);
}
