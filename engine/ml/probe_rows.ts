/**
 * Rows that exercise every split of a model: values exactly on a threshold,
 * one float32 above it, missing (NaN), and in between. Scored by both
 * onnxruntime and the TypeScript evaluator when a model loads, they show
 * whether the two read the file alike — down to ties and missing values.
 */
import { nextUpFloat32 } from "./float32.ts";
import type { TreeEnsemble } from "./trees.ts";

/** `rows` deterministic probe rows for `model`. */
export function probeRows(model: TreeEnsemble, rows: number): Float32Array {
  const width = model.featureNames.length;
  const thresholds: number[][] = Array.from({ length: width }, () => []);
  for (const tree of model.trees) {
    tree.left.forEach((left, node) => {
      if (left >= 0) thresholds[tree.feature[node]!]!.push(tree.threshold[node]!);
    });
  }
  const next = lcg(0x5eed);
  const out = new Float32Array(rows * width);
  for (let i = 0; i < out.length; i++) {
    const candidates = thresholds[i % width]!;
    const pick = next();
    const threshold = candidates[Math.floor(next() * candidates.length)] ?? 0;
    if (pick < 0.1) out[i] = NaN;
    else if (pick < 0.45) out[i] = threshold;
    else if (pick < 0.7) out[i] = nextUpFloat32(threshold);
    else out[i] = threshold + (next() - 0.5) * (Math.abs(threshold) + 1);
  }
  return out;
}

/** A small linear congruential generator: reproducible probes, no dependency. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}
