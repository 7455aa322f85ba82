/**
 * Quantile binning: each feature's values become at most `maxBins` ordered
 * bins plus one bin for missing values, so split finding scans ≤ 256
 * histogram slots instead of sorting rows at every node.
 *
 * A bin's upper edge is a float32 value and a value's bin is the first edge
 * with `Math.fround(x) <= edge`: the same comparison the trees make when
 * they score (engine/ml/trees.ts, onnxruntime), so a split "bins 0..b go
 * left" becomes the threshold `edges[b]` and sends every row, seen or
 * unseen, where training sent it.
 */

/** Per feature, the upper edges of its value bins except the last (ascending, float32). */
export interface BinEdges {
  edges: Float32Array[];
}

/** Values sampled per feature to place the edges; beyond this quantiles barely move. */
const SAMPLE_LIMIT = 200_000;

/** The number of value bins of a feature; its missing bin has this index. */
export function valueBinCount(edges: Float32Array): number {
  return edges.length + 1;
}

/** Places each feature's bin edges at quantiles of `rows` of a row-major `features` matrix. */
export function fitBinEdges(
  features: ArrayLike<number>,
  width: number,
  rows: Uint32Array,
  maxBins: number,
): BinEdges {
  const stride = Math.max(1, Math.ceil(rows.length / SAMPLE_LIMIT));
  const edges: Float32Array[] = [];
  for (let f = 0; f < width; f++) {
    const values: number[] = [];
    for (let i = 0; i < rows.length; i += stride) {
      const x = features[rows[i]! * width + f]!;
      if (!Number.isNaN(x)) values.push(x);
    }
    edges.push(featureEdges(Float32Array.from(values).sort(), maxBins));
  }
  return { edges };
}

/** The bin of one value: the missing bin for NaN. */
export function binOf(edges: Float32Array, x: number): number {
  if (Number.isNaN(x)) return edges.length + 1;
  const xf = Math.fround(x);
  let lo = 0, hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xf <= edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Bins `rows` of a row-major matrix into a column-major uint8 matrix (rows.length per feature). */
export function binRows(
  bins: BinEdges,
  features: ArrayLike<number>,
  width: number,
  rows: Uint32Array,
): Uint8Array {
  const n = rows.length;
  const out = new Uint8Array(n * width);
  for (let f = 0; f < width; f++) {
    const edges = bins.edges[f]!;
    const column = f * n;
    for (let i = 0; i < n; i++) out[column + i] = binOf(edges, features[rows[i]! * width + f]!);
  }
  return out;
}

/** Edges for sorted float32 `values`: one bin per distinct value if few, else quantiles. */
function featureEdges(values: Float32Array, maxBins: number): Float32Array {
  const m = values.length;
  const edges: number[] = [];
  const push = (below: number) => {
    const edge = edgeAbove(below, values[upperBound(values, below)]!);
    if (edges.length === 0 || edge > edges[edges.length - 1]!) edges.push(edge);
  };
  if (m === 0) return new Float32Array(0);
  if (countDistinct(values) <= maxBins) {
    for (let i = 1; i < m; i++) if (values[i]! > values[i - 1]!) push(values[i - 1]!);
  } else {
    for (let k = 1; k < maxBins; k++) {
      const below = values[Math.floor((k * m) / maxBins) - 1]!;
      if (below < values[m - 1]!) push(below);
    }
  }
  return Float32Array.from(edges);
}

/**
 * A float32 edge in [a, b) for float32 values a < b: their midpoint when
 * float32 can hold one below b (so unseen values split halfway, as
 * scikit-learn and LightGBM do), else a itself.
 */
function edgeAbove(a: number, b: number): number {
  const mid = Math.fround(a / 2 + b / 2);
  return mid < b && mid >= a ? mid : a;
}

/** The index of the first value greater than `x` in sorted `values`. */
function upperBound(values: Float32Array, x: number): number {
  let lo = 0, hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function countDistinct(values: Float32Array): number {
  let count = values.length > 0 ? 1 : 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[i - 1]!) count++;
  return count;
}
