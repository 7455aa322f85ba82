/**
 * The scorer that runs the model file itself in onnxruntime-node. At load
 * it scores probe rows (warm-up: the first run allocates and plans) and
 * compares them with the TypeScript evaluator's probabilities, so a file
 * the engine reads differently from onnxruntime — and would explain wrongly
 * — is refused instead of scored.
 */
import { EngineError } from "../errors.ts";
import { batchOf, type ChurnScorer } from "./churn_scorer.ts";
import type { DecodedOnnxModel } from "./onnx_import.ts";
import { probeRows } from "./probe_rows.ts";
import { predictProbabilities } from "./trees.ts";

/** What the scorer uses of onnxruntime-node (so tests can stand in for it). */
export type OnnxRuntime = Pick<typeof import("onnxruntime-node"), "InferenceSession" | "Tensor">;

/** Rows scored at load. */
const PROBE_ROWS = 256;
/** Most the two scorers may differ on a probe (float32 sums and sigmoid stay near 1e-7). */
const PROBE_TOLERANCE = 1e-5;

/** A scorer running `bytes` (decoded as `decoded`) in onnxruntime. */
export async function createOnnxRuntimeScorer(
  runtime: OnnxRuntime,
  bytes: Uint8Array,
  decoded: DecodedOnnxModel,
): Promise<ChurnScorer> {
  const { model, version, graph } = decoded;
  const session = await runtime.InferenceSession.create(bytes, {
    graphOptimizationLevel: "all",
    logSeverityLevel: 3,
    // onnxruntime's threads otherwise spin, waiting for the next call, on the
    // cores PostgreSQL and the engine share with them (bench/README.md).
    extra: { session: { intra_op: { allow_spinning: "0" }, inter_op: { allow_spinning: "0" } } },
  });
  const score = async (features: Float32Array, rows: number): Promise<Float64Array> => {
    const batch = batchOf(features, rows, graph.width);
    const out = new Float64Array(rows);
    if (rows === 0) return out;
    const input = new runtime.Tensor("float32", batch, [rows, graph.width]);
    const result = await session.run({ [graph.inputName]: input }, [graph.outputName]);
    const data = result[graph.outputName]?.data;
    if (!(data instanceof Float32Array) || data.length !== rows * graph.outputColumns) {
      throw new EngineError(
        "INTERNAL",
        `onnxruntime returned no float32 [${rows}, ${graph.outputColumns}] output`,
      );
    }
    for (let r = 0; r < rows; r++) {
      out[r] = data[r * graph.outputColumns + graph.probabilityColumn]!;
    }
    return out;
  };
  try {
    const probe = probeRows(model, PROBE_ROWS);
    const expected = predictProbabilities(model, probe);
    const actual = await score(probe, PROBE_ROWS);
    const worst = expected.reduce((max, p, i) => Math.max(max, Math.abs(p - actual[i]!)), 0);
    if (!(worst <= PROBE_TOLERANCE)) {
      throw new EngineError(
        "MODEL_UNSUPPORTED",
        `The model cannot be scored: onnxruntime and the engine's reading of its trees differ ` +
          `by up to ${worst.toPrecision(3)} on probe rows, so its predictions could not be ` +
          "explained; it relies on a convention the engine does not know (docs/model-format.md)",
      );
    }
  } catch (error) {
    await session.release();
    throw error;
  }
  let closed = false;
  return {
    kind: "onnxruntime",
    model,
    version,
    score,
    async close() {
      if (closed) return;
      closed = true;
      await session.release();
    },
  };
}
