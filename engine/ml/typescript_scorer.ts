/**
 * The fallback scorer: the trees evaluated in TypeScript (trees.ts), with
 * the same float32 comparisons as onnxruntime, so the same probabilities.
 * Slower, but needs no native code.
 */
import { batchOf, type ChurnScorer } from "./churn_scorer.ts";
import type { DecodedOnnxModel } from "./onnx_import.ts";
import { predictProbabilities } from "./trees.ts";

/** A scorer of `decoded`'s trees; `reason` says why onnxruntime is not used. */
export function createTypeScriptScorer(decoded: DecodedOnnxModel, reason?: string): ChurnScorer {
  const { model, version } = decoded;
  const width = model.featureNames.length;
  return {
    kind: "typescript",
    ...(reason === undefined ? {} : { reason }),
    model,
    version,
    score(features, rows) {
      return Promise.resolve(predictProbabilities(model, batchOf(features, rows, width)));
    },
    close() {
      return Promise.resolve();
    },
  };
}
