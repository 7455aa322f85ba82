/** Seeded synthetic classification data for the trainer's tests. */
import { seededUniform } from "../../../engine/ml/mod.ts";

/** Rows of `width` uniform features in [-1, 1) (NaN with `missing` probability), labelled by `label`. */
export function syntheticSet(
  rows: number,
  width: number,
  label: (x: Float64Array, next: () => number) => number,
  options: { seed?: number; missing?: number } = {},
) {
  const next = seededUniform(options.seed ?? 1);
  const features = new Float64Array(rows * width);
  const labels = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    const x = features.subarray(r * width, (r + 1) * width);
    for (let f = 0; f < width; f++) {
      // Values float32 cannot hold exactly, so thresholds are tested against rounding.
      x[f] = next() < (options.missing ?? 0) ? NaN : next() * 2 - 1 + 1e-9 * next();
    }
    labels[r] = label(x, next);
  }
  const featureNames = Array.from({ length: width }, (_, f) => `x${f}`);
  return { featureNames, features, labels };
}
