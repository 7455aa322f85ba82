/**
 * The largest path attributions of many rows, into buffers reused for every
 * row: scoring explains every logged prediction, and allocating a
 * contribution object per feature and sorting them cost as much as walking
 * the trees. The result is the one `explain` gives (largest absolute effect
 * first, equal effects in feature order, zeros left out), kept to the first
 * `limit`.
 */
import { attribute, attributeFour, type FlatTrees, flatTrees } from "./tree_paths.ts";
import type { TreeEnsemble } from "./trees.ts";

/** The top contributions of rows: row k's `counts[k]` of them from k·limit in the arrays. */
export interface RowContributions {
  counts: Uint8Array;
  /** Feature positions, largest effect first. */
  features: Int32Array;
  /** Their log-odds contributions. */
  contributions: Float64Array;
}

/** Explains rows of one model; `features` and `contributions` hold the last row's top ones. */
export class TopContributions {
  /** Feature positions, largest effect first. */
  readonly features: Int32Array;
  /** Their log-odds contributions. */
  readonly contributions: Float64Array;
  readonly #flat: FlatTrees;
  readonly #width: number;
  readonly #byFeature: Float64Array;
  // Four rows' values and sums, for attributeFour.
  readonly #fourValues: Float64Array;
  readonly #fourSums: Float64Array;

  constructor(model: TreeEnsemble, readonly limit: number) {
    this.#flat = flatTrees(model);
    this.#width = model.featureNames.length;
    this.#byFeature = new Float64Array(this.#width);
    this.#fourValues = new Float64Array(4 * this.#width);
    this.#fourSums = new Float64Array(4 * this.#width);
    this.features = new Int32Array(limit);
    this.contributions = new Float64Array(limit);
  }

  /** Explains `row`; returns how many contributions it kept (features with no effect are left out). */
  explain(row: ArrayLike<number>): number {
    const byFeature = this.#byFeature;
    byFeature.fill(0);
    attribute(this.#flat, row, byFeature);
    return selectTop(byFeature, 0, this.#width, this.limit, this.features, this.contributions, 0);
  }

  /** Explains the rows at positions `rows` of `values` (rows of the model's width, one after another). */
  explainRows(values: Float32Array, rows: readonly number[]): RowContributions {
    const width = this.#width, limit = this.limit;
    const out: RowContributions = {
      counts: new Uint8Array(rows.length),
      features: new Int32Array(rows.length * limit),
      contributions: new Float64Array(rows.length * limit),
    };
    const xs = this.#fourValues, sums = this.#fourSums;
    for (let k = 0; k < rows.length; k += 4) {
      const block = Math.min(4, rows.length - k);
      // A last block of fewer rows walks its first row again in the places left.
      for (let q = 0; q < 4; q++) {
        const row = rows[k + (q < block ? q : 0)]! * width;
        for (let f = 0; f < width; f++) xs[q * width + f] = Math.fround(values[row + f]!);
      }
      sums.fill(0);
      attributeFour(this.#flat, xs, sums, width);
      for (let q = 0; q < block; q++) {
        out.counts[k + q] = selectTop(
          sums,
          q * width,
          width,
          limit,
          out.features,
          out.contributions,
          (k + q) * limit,
        );
      }
    }
    return out;
  }
}

/**
 * Keeps the `limit` largest of `byFeature[from … from + width)` by absolute
 * value into `features` and `contributions` from `at`; returns how many.
 */
function selectTop(
  byFeature: Float64Array,
  from: number,
  width: number,
  limit: number,
  features: Int32Array,
  contributions: Float64Array,
  at: number,
): number {
  let count = 0;
  for (let f = 0; f < width; f++) {
    const c = byFeature[from + f]!;
    if (c === 0) continue;
    const size = Math.abs(c);
    // Insertion after every kept one at least as large: equal effects keep feature order.
    let place = count;
    while (place > 0 && Math.abs(contributions[at + place - 1]!) < size) place--;
    if (place >= limit) continue;
    for (let k = Math.min(count, limit - 1); k > place; k--) {
      features[at + k] = features[at + k - 1]!;
      contributions[at + k] = contributions[at + k - 1]!;
    }
    features[at + place] = f;
    contributions[at + place] = c;
    if (count < limit) count++;
  }
  return count;
}
