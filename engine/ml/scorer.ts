/**
 * Loading a churn scorer: the file is decoded and checked against the
 * contract (refused with MODEL_* errors), then run in onnxruntime-node —
 * imported dynamically, so a runtime without FFI or without the native
 * binary still loads the engine — or, when that fails or is not wanted, by
 * the TypeScript evaluator, with the reason.
 *
 * @example
 * ```ts
 * const scorer = await loadChurnScorer(bytes, { prefer: "onnxruntime", featureNames });
 * const probabilities = await scorer.score(features, rows);
 * ```
 */
import { isEngineError } from "../errors.ts";
import type { ChurnScorer } from "./churn_scorer.ts";
import { decodeOnnxModel } from "./onnx_import.ts";
import { createOnnxRuntimeScorer, type OnnxRuntime } from "./onnx_runtime_scorer.ts";
import { createTypeScriptScorer } from "./typescript_scorer.ts";

export type { ChurnScorer } from "./churn_scorer.ts";
export type { OnnxRuntime } from "./onnx_runtime_scorer.ts";

/** How to load a scorer. */
export interface LoadChurnScorerOptions {
  /** "onnxruntime" tries onnxruntime-node first; "typescript" never loads it. */
  prefer: "onnxruntime" | "typescript";
  /** The engine's features, in column order: the model must have exactly these. */
  featureNames: readonly string[];
  /** Loads onnxruntime-node (default: a dynamic import); tests inject failures here. */
  importRuntime?: () => Promise<OnnxRuntime>;
}

/** A scorer for the model in `bytes`; throws MODEL_INVALID / MODEL_UNSUPPORTED / MODEL_FEATURES_MISMATCH. */
export async function loadChurnScorer(
  bytes: Uint8Array,
  options: LoadChurnScorerOptions,
): Promise<ChurnScorer> {
  const decoded = decodeOnnxModel(bytes, { featureNames: options.featureNames });
  if (options.prefer === "typescript") {
    return createTypeScriptScorer(decoded, "the TypeScript scorer is configured");
  }
  let runtime: OnnxRuntime;
  try {
    runtime = await (options.importRuntime ?? importOnnxRuntime)();
  } catch (error) {
    return createTypeScriptScorer(decoded, `onnxruntime-node did not load: ${messageOf(error)}`);
  }
  try {
    return await createOnnxRuntimeScorer(runtime, bytes, decoded);
  } catch (error) {
    // The file itself is at fault: refuse it, whichever scorer would run.
    if (isEngineError(error, "MODEL_UNSUPPORTED")) throw error;
    return createTypeScriptScorer(
      decoded,
      `onnxruntime-node cannot run the model: ${messageOf(error)}`,
    );
  }
}

/** onnxruntime-node, loaded on first use (it needs FFI and its native binary). */
async function importOnnxRuntime(): Promise<OnnxRuntime> {
  const { InferenceSession, Tensor } = await import("onnxruntime-node");
  return { InferenceSession, Tensor };
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0]!.slice(0, 300);
}
