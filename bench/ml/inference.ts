/**
 * The inference benchmark: the engine's scorers on the same 100,000 rows of
 * churn features — onnxruntime-node in batches of ML_BATCH_SIZE (the
 * headline), onnxruntime one row per call (the baseline), and the TypeScript
 * evaluator the engine falls back to — plus the path attribution (`explain`)
 * the scoring stage runs for every row. All three scorers must give the same
 * probabilities, or the comparison would be of different work.
 */
import {
  type ChurnScorer,
  explain,
  loadChurnScorer,
  type TreeEnsemble,
} from "../../engine/ml/mod.ts";
import { EngineError } from "../../engine/errors.ts";
import { bar } from "../health/progress.ts";

/** One way of scoring the rows, timed. */
export interface InferenceRun {
  rows: number;
  /** Rows per call. */
  batchSize: number;
  passes: number;
  /** Median over the passes. */
  seconds: number;
  rowsPerSecond: number;
  bestRowsPerSecond: number;
}

/** The inference figures. */
export interface InferenceFigures {
  loadMs: number;
  batched: InferenceRun;
  single: InferenceRun;
  typescript: InferenceRun;
  explain: InferenceRun;
  /** Largest difference between the batched probabilities and each other scorer's. */
  maxDifference: { single: number; typescript: number };
}

/** Probabilities must agree this closely (the ONNX parity bound). */
export const PROBABILITY_TOLERANCE = 1e-6;

/** Times the scorers on `rows` rows of `features` (the model's width each). */
export async function measureInference(
  model: { onnx: Uint8Array; ensemble: TreeEnsemble },
  features: Float32Array,
  options: { batchSize: number; singleRows: number; passes: number },
): Promise<InferenceFigures> {
  const featureNames = model.ensemble.featureNames;
  const width = featureNames.length;
  const rows = features.length / width;
  const started = performance.now();
  const onnx = await loadChurnScorer(model.onnx, { prefer: "onnxruntime", featureNames });
  const loadMs = performance.now() - started;
  const typescript = await loadChurnScorer(model.onnx, { prefer: "typescript", featureNames });
  try {
    if (onnx.kind !== "onnxruntime") {
      throw new EngineError("INTERNAL", `onnxruntime-node is not available: ${onnx.reason}`);
    }
    const batchedOut = new Float64Array(rows);
    const batched = await timed(
      "Inference, onnxruntime in batches",
      { rows, batchSize: options.batchSize, passes: options.passes },
      () => scoreAll(onnx, features, rows, options.batchSize, batchedOut),
    );
    const singleRows = Math.min(rows, options.singleRows);
    const singleOut = new Float64Array(singleRows);
    const single = await timed(
      "Inference, onnxruntime one row per call",
      // The session is warm from the batched passes; a warm-up would double the longest phase.
      { rows: singleRows, batchSize: 1, passes: 1, warmUp: false },
      () => scoreAll(onnx, features.subarray(0, singleRows * width), singleRows, 1, singleOut),
    );
    const typescriptOut = new Float64Array(rows);
    const ts = await timed(
      "Inference, TypeScript evaluator",
      { rows, batchSize: options.batchSize, passes: 1 },
      () => scoreAll(typescript, features, rows, options.batchSize, typescriptOut),
    );
    const explained = await timed(
      "Path attribution (explain, top 5)",
      { rows, batchSize: 1, passes: 1 },
      () => {
        for (let r = 0; r < rows; r++) {
          explain(model.ensemble, features.subarray(r * width, (r + 1) * width), 5);
        }
        return Promise.resolve();
      },
    );
    return {
      loadMs,
      batched,
      single,
      typescript: ts,
      explain: explained,
      maxDifference: {
        single: maxDifference(batchedOut, singleOut),
        typescript: maxDifference(batchedOut, typescriptOut),
      },
    };
  } finally {
    await onnx.close();
    await typescript.close();
  }
}

async function scoreAll(
  scorer: ChurnScorer,
  features: Float32Array,
  rows: number,
  batchSize: number,
  out: Float64Array,
): Promise<void> {
  const width = scorer.model.featureNames.length;
  for (let start = 0; start < rows; start += batchSize) {
    const end = Math.min(rows, start + batchSize);
    out.set(await scorer.score(features.subarray(start * width, end * width), end - start), start);
  }
}

/** Runs `work` once to warm up (unless told not to), then `passes` times timed (a progress bar over the passes). */
async function timed(
  label: string,
  options: { rows: number; batchSize: number; passes: number; warmUp?: boolean },
  work: () => Promise<void>,
): Promise<InferenceRun> {
  const { warmUp = true, ...run } = options;
  const progress = bar(label, run.passes + 1);
  if (warmUp) await work();
  progress.update(1);
  const times: number[] = [];
  for (let pass = 0; pass < run.passes; pass++) {
    const started = performance.now();
    await work();
    times.push((performance.now() - started) / 1000);
    progress.update(pass + 2);
  }
  times.sort((a, b) => a - b);
  const seconds = times[Math.floor(times.length / 2)]!;
  progress.done(`${Math.round(run.rows / seconds).toLocaleString("en")} rows/s`);
  return {
    ...run,
    seconds,
    rowsPerSecond: run.rows / seconds,
    bestRowsPerSecond: run.rows / times[0]!,
  };
}

function maxDifference(a: Float64Array, b: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (Number.isNaN(d)) return Infinity;
    worst = Math.max(worst, d);
  }
  return worst;
}
