/**
 * Logistic loss for binary labels: its gradient and hessian with respect to
 * the raw score (log-odds), and the weighted mean loss early stopping watches.
 */

/** Below this a hessian is treated as this, so −G / H stays finite when p is near 0 or 1. */
const MIN_HESSIAN = 1e-16;
/** Probabilities are clipped this far from 0 and 1 before taking logs. */
const EPSILON = 1e-15;

/** Fills `gradients` and `hessians` for the current `scores`. */
export function logisticGradients(
  scores: Float64Array,
  labels: Uint8Array,
  weights: Float64Array,
  gradients: Float64Array,
  hessians: Float64Array,
): void {
  for (let i = 0; i < scores.length; i++) {
    const p = 1 / (1 + Math.exp(-scores[i]!));
    const w = weights[i]!;
    gradients[i] = w * (p - labels[i]!);
    hessians[i] = w * Math.max(p * (1 - p), MIN_HESSIAN);
  }
}

/** Weighted mean logistic loss of raw `scores`. */
export function weightedLogLoss(
  scores: Float64Array,
  labels: Uint8Array,
  weights: Float64Array,
): number {
  let loss = 0, total = 0;
  for (let i = 0; i < scores.length; i++) {
    const p = Math.min(Math.max(1 / (1 + Math.exp(-scores[i]!)), EPSILON), 1 - EPSILON);
    const w = weights[i]!;
    loss -= w * (labels[i] ? Math.log(p) : Math.log(1 - p));
    total += w;
  }
  return total > 0 ? loss / total : 0;
}

/** The log-odds of the weighted positive rate: the best constant score. */
export function priorLogOdds(labels: Uint8Array, weights: Float64Array): number {
  let positive = 0, negative = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]) positive += weights[i]!;
    else negative += weights[i]!;
  }
  return Math.log(positive / negative);
}

/**
 * Each class's weight: 1 for "none"; for "balanced", n / (2 · the class's
 * count) in `labels`, as scikit-learn's class_weight="balanced" computes it,
 * so both classes weigh the same in total.
 */
export function classWeights(
  labels: Uint8Array,
  mode: "none" | "balanced",
): { negative: number; positive: number } {
  if (mode === "none") return { negative: 1, positive: 1 };
  let positives = 0;
  for (const label of labels) positives += label;
  return {
    negative: labels.length / (2 * (labels.length - positives)),
    positive: labels.length / (2 * positives),
  };
}
