/**
 * The best split of one node from its histogram: for every feature and bin
 * boundary, with missing values tried on each side, the split that most
 * lowers the regularized logistic loss (XGBoost's gain formula).
 */
import type { HistogramLayout } from "./histogram.ts";

/** Gradient sum, hessian sum and row count of a set of rows. */
export interface NodeStats {
  g: number;
  h: number;
  count: number;
}

/** A chosen split: bins 0..`bin` (and missing values when `missingLeft`) go left. */
export interface SplitChoice {
  feature: number;
  bin: number;
  missingLeft: boolean;
  gain: number;
  left: NodeStats;
  right: NodeStats;
}

/** What a split must respect. */
export interface SplitRules {
  l2: number;
  minSamplesLeaf: number;
}

/** A child needs at least this much hessian (scikit-learn's min_hessian_to_split), else −G/H is noise. */
const MIN_CHILD_HESSIAN = 1e-3;
/** Gains this small are rounding, not signal. */
const MIN_GAIN = 1e-10;

/** The best split of a node with `totals`, or null when no split lowers the loss within the rules. */
export function findBestSplit(
  hist: Float64Array,
  layout: HistogramLayout,
  totals: NodeStats,
  rules: SplitRules,
): SplitChoice | null {
  const { l2, minSamplesLeaf } = rules;
  const parentScore = (totals.g * totals.g) / (totals.h + l2);
  let best: SplitChoice | null = null;
  let bestGain = MIN_GAIN;

  const consider = (
    feature: number,
    bin: number,
    missingLeft: boolean,
    lg: number,
    lh: number,
    lc: number,
  ) => {
    const rc = totals.count - lc;
    if (lc < minSamplesLeaf || rc < minSamplesLeaf) return;
    const rg = totals.g - lg, rh = totals.h - lh;
    if (lh < MIN_CHILD_HESSIAN || rh < MIN_CHILD_HESSIAN) return;
    const gain = (lg * lg) / (lh + l2) + (rg * rg) / (rh + l2) - parentScore;
    if (gain <= bestGain) return;
    bestGain = gain;
    best = {
      feature,
      bin,
      missingLeft,
      gain,
      left: { g: lg, h: lh, count: lc },
      right: { g: rg, h: rh, count: rc },
    };
  };

  const width = layout.offsets.length - 1;
  for (let f = 0; f < width; f++) {
    const base = layout.offsets[f]! * 3;
    // The last slot of a feature is its missing bin.
    const missingBin = layout.offsets[f + 1]! - layout.offsets[f]! - 1;
    const mSlot = base + missingBin * 3;
    const mg = hist[mSlot]!, mh = hist[mSlot + 1]!, mc = hist[mSlot + 2]!;
    let lg = 0, lh = 0, lc = 0;
    for (let b = 0; b < missingBin; b++) {
      const slot = base + b * 3;
      lg += hist[slot]!;
      lh += hist[slot + 1]!;
      lc += hist[slot + 2]!;
      if (mc > 0) {
        // Missing values right; at the last bin this is "every value left, missing right".
        consider(f, b, false, lg, lh, lc);
        if (b < missingBin - 1) consider(f, b, true, lg + mg, lh + mh, lc + mc);
      } else if (b < missingBin - 1) {
        // No missing value reached this node: later ones follow the larger child,
        // as scikit-learn sends them.
        consider(f, b, lc >= totals.count - lc, lg, lh, lc);
      }
    }
  }
  return best;
}
