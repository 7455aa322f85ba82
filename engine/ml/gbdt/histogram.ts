/**
 * Gradient histograms: for one node, per feature and bin, the sum of
 * gradients, the sum of hessians and the row count, interleaved as
 * `[g, h, count]` triples so a split scan reads one contiguous run.
 */
import { type BinEdges, valueBinCount } from "./binning.ts";

/** Where each feature's slots start; a feature has its value bins plus the missing bin. */
export interface HistogramLayout {
  /** Slot offset per feature, and the total slot count at index `width`. */
  offsets: Uint32Array;
}

/** The layout for `bins`. */
export function histogramLayout(bins: BinEdges): HistogramLayout {
  const offsets = new Uint32Array(bins.edges.length + 1);
  bins.edges.forEach((edges, f) => {
    offsets[f + 1] = offsets[f]! + valueBinCount(edges) + 1;
  });
  return { offsets };
}

/** A zeroed histogram for `layout`. */
export function newHistogram(layout: HistogramLayout): Float64Array {
  return new Float64Array(layout.offsets[layout.offsets.length - 1]! * 3);
}

/** Scratch space reused across nodes, so building a histogram allocates nothing. */
export interface HistogramScratch {
  gradients: Float64Array;
  hessians: Float64Array;
}

/**
 * Fills `hist` (overwriting it) from `rows[start..end)` of the column-major
 * `binned` matrix with `n` rows per column. Gradients are gathered once in
 * node order first, so the per-feature loops read them sequentially.
 */
export function buildHistogram(
  hist: Float64Array,
  layout: HistogramLayout,
  binned: Uint8Array,
  n: number,
  rows: Uint32Array,
  range: { start: number; end: number },
  gradients: Float64Array,
  hessians: Float64Array,
  scratch: HistogramScratch,
): void {
  hist.fill(0);
  const { start, end } = range;
  const g = scratch.gradients, h = scratch.hessians;
  for (let i = start; i < end; i++) {
    const r = rows[i]!;
    g[i] = gradients[r]!;
    h[i] = hessians[r]!;
  }
  const width = layout.offsets.length - 1;
  for (let f = 0; f < width; f++) {
    const column = f * n;
    const base = layout.offsets[f]! * 3;
    for (let i = start; i < end; i++) {
      const slot = base + binned[column + rows[i]!]! * 3;
      hist[slot]! += g[i]!;
      hist[slot + 1]! += h[i]!;
      hist[slot + 2]!++;
    }
  }
}

/** `target -= other`, slot by slot: a sibling's histogram from its parent's. */
export function subtractHistogram(target: Float64Array, other: Float64Array): void {
  for (let i = 0; i < target.length; i++) target[i]! -= other[i]!;
}
