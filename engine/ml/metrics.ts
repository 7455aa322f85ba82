/**
 * Metrics of a binary classifier's probabilities against 0/1 labels, as
 * scikit-learn computes them (roc_auc_score, average_precision_score,
 * brier_score_loss, log_loss, precision/recall/F1 with zero_division=0), so
 * our figures compare with published ones. Pure functions; a metric that is
 * undefined for the data (AUC with one class present) is NaN.
 */

/** A confidence interval of a metric. */
export interface MetricInterval {
  low: number;
  high: number;
  /** Two-sided coverage, e.g. 0.95. */
  level: number;
}

/** Counts of a confusion matrix; a row is predicted positive when p >= threshold. */
export interface Confusion {
  truePositives: number;
  falsePositives: number;
  trueNegatives: number;
  falseNegatives: number;
}

/** Threshold-dependent figures. */
export interface ThresholdMetrics {
  threshold: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  confusion: Confusion;
}

/** One bin of a calibration table; means are null for an empty bin. */
export interface CalibrationBin {
  low: number;
  high: number;
  count: number;
  meanPredicted: number | null;
  observedRate: number | null;
}

/** The area under the ROC curve by ranks (Mann–Whitney U); tied scores count one half. */
export function rocAuc(probabilities: Float64Array, labels: Uint8Array): number {
  const ranks = midranks(probabilities);
  let positives = 0, rankSum = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]) {
      positives++;
      rankSum += ranks[i]!;
    }
  }
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Two-sided normal quantiles of the levels we report. */
const Z: Record<string, number> = { "0.9": 1.6448536, "0.95": 1.959964, "0.99": 2.5758293 };

/**
 * ROC AUC with DeLong's confidence interval (DeLong, DeLong & Clarke-Pearson
 * 1988, with Sun & Xu's midrank computation): exact and deterministic, where
 * a bootstrap would need a seed and thousands of resamples. `level` is 0.9,
 * 0.95 or 0.99.
 */
export function rocAucInterval(
  probabilities: Float64Array,
  labels: Uint8Array,
  level = 0.95,
): { auc: number; interval: MetricInterval } {
  const z = Z[String(level)];
  if (z === undefined) throw new RangeError(`level must be 0.9, 0.95 or 0.99, not ${level}`);
  const positive = probabilities.filter((_, i) => labels[i] === 1);
  const negative = probabilities.filter((_, i) => labels[i] !== 1);
  const m = positive.length, n = negative.length;
  if (m === 0 || n === 0) return { auc: NaN, interval: { low: NaN, high: NaN, level } };
  const all = new Float64Array(m + n);
  all.set(positive);
  all.set(negative, m);
  const ranksAll = midranks(all);
  const ranksPositive = midranks(positive);
  const ranksNegative = midranks(negative);
  // Per positive: the share of negatives it outranks; per negative: the share of positives above it.
  const v10 = Float64Array.from(positive, (_, i) => (ranksAll[i]! - ranksPositive[i]!) / n);
  const v01 = Float64Array.from(
    negative,
    (_, j) => 1 - (ranksAll[m + j]! - ranksNegative[j]!) / m,
  );
  const auc = mean(v10);
  const variance = sampleVariance(v10, auc) / m + sampleVariance(v01, auc) / n;
  const spread = z * Math.sqrt(variance);
  return {
    auc,
    interval: { low: Math.max(0, auc - spread), high: Math.min(1, auc + spread), level },
  };
}

/**
 * Average precision (the PR AUC scikit-learn reports): the sum over score
 * thresholds, highest first, of precision times the recall gained there.
 */
export function averagePrecision(probabilities: Float64Array, labels: Uint8Array): number {
  let ap = 0, previousRecall = 0;
  const positives = eachThreshold(probabilities, labels, (_score, tp, fp, positives) => {
    const recall = tp / positives;
    ap += (recall - previousRecall) * (tp / (tp + fp));
    previousRecall = recall;
  });
  return positives === 0 ? NaN : ap;
}

/**
 * Walks the scores as thresholds, highest first, calling `visit` with the
 * true and false positives at each (tied scores are one threshold: all of
 * them are counted before the visit). Returns the number of positives.
 */
function eachThreshold(
  probabilities: Float64Array,
  labels: Uint8Array,
  visit: (score: number, tp: number, fp: number, positives: number) => void,
): number {
  const order = descendingOrder(probabilities);
  let positives = 0;
  for (const label of labels) positives += label;
  if (positives === 0) return 0;
  let tp = 0, fp = 0;
  for (let k = 0; k < order.length;) {
    const score = probabilities[order[k]!]!;
    while (k < order.length && probabilities[order[k]!] === score) {
      if (labels[order[k]!]) tp++;
      else fp++;
      k++;
    }
    visit(score, tp, fp, positives);
  }
  return positives;
}

/** Mean squared difference between probability and label. */
export function brierScore(probabilities: Float64Array, labels: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum += (probabilities[i]! - labels[i]!) ** 2;
  return sum / labels.length;
}

/** Mean logistic loss, probabilities clipped to [ε, 1 − ε] with ε = 2.2e-16 (scikit-learn's). */
export function logLoss(probabilities: Float64Array, labels: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(Math.max(probabilities[i]!, Number.EPSILON), 1 - Number.EPSILON);
    sum -= labels[i] ? Math.log(p) : Math.log(1 - p);
  }
  return sum / labels.length;
}

/** The confusion matrix when rows with p >= `threshold` are predicted positive. */
export function confusionAt(
  probabilities: Float64Array,
  labels: Uint8Array,
  threshold = 0.5,
): Confusion {
  const c = { truePositives: 0, falsePositives: 0, trueNegatives: 0, falseNegatives: 0 };
  for (let i = 0; i < labels.length; i++) {
    const predicted = probabilities[i]! >= threshold;
    if (predicted && labels[i]) c.truePositives++;
    else if (predicted) c.falsePositives++;
    else if (labels[i]) c.falseNegatives++;
    else c.trueNegatives++;
  }
  return c;
}

/** Accuracy, precision, recall and F1 at `threshold`; a ratio with a zero denominator is 0. */
export function metricsAt(
  probabilities: Float64Array,
  labels: Uint8Array,
  threshold = 0.5,
): ThresholdMetrics {
  const confusion = confusionAt(probabilities, labels, threshold);
  const { truePositives: tp, falsePositives: fp, falseNegatives: fn } = confusion;
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  return {
    threshold,
    accuracy: ratio(tp + confusion.trueNegatives, labels.length),
    precision,
    recall,
    f1: ratio(2 * tp, 2 * tp + fp + fn),
    confusion,
  };
}

/** The accuracy of always predicting the more frequent class: the baseline accuracy must beat. */
export function majorityClassAccuracy(labels: Uint8Array): number {
  let positives = 0;
  for (const label of labels) positives += label;
  return ratio(Math.max(positives, labels.length - positives), labels.length);
}

/**
 * Reliability table: `bins` equal-width probability bins over [0, 1] (a
 * probability of exactly 1 falls in the last), each with its row count, mean
 * predicted probability and observed positive rate.
 */
export function calibrationTable(
  probabilities: Float64Array,
  labels: Uint8Array,
  bins = 10,
): CalibrationBin[] {
  const count = new Float64Array(bins), predicted = new Float64Array(bins);
  const observed = new Float64Array(bins);
  for (let i = 0; i < labels.length; i++) {
    const p = probabilities[i]!;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
    count[b]!++;
    predicted[b]! += p;
    observed[b]! += labels[i]!;
  }
  return Array.from(count, (n, b) => ({
    low: b / bins,
    high: (b + 1) / bins,
    count: n,
    meanPredicted: n > 0 ? predicted[b]! / n : null,
    observedRate: n > 0 ? observed[b]! / n : null,
  }));
}

/**
 * The threshold with the highest F1 (ties: the higher threshold, which flags
 * fewer rows): one of the scores, predicting positive at p >= it.
 */
export function maxF1Threshold(probabilities: Float64Array, labels: Uint8Array): number {
  let bestF1 = -1, best = 0.5;
  eachThreshold(probabilities, labels, (score, tp, fp, positives) => {
    const f1 = ratio(2 * tp, tp + fp + positives);
    if (f1 > bestF1) {
      bestF1 = f1;
      best = score;
    }
  });
  return best;
}

/** 1-based ranks with ties given their mean rank. */
function midranks(values: Float64Array): Float64Array {
  const order = Uint32Array.from(values.keys()).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(values.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]!] === values[order[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]!] = rank;
    i = j + 1;
  }
  return ranks;
}

function descendingOrder(values: Float64Array): Uint32Array {
  return Uint32Array.from(values.keys()).sort((a, b) => values[b]! - values[a]!);
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

function sampleVariance(values: Float64Array, centre: number): number {
  if (values.length < 2) return 0;
  let sum = 0;
  for (const v of values) sum += (v - centre) ** 2;
  return sum / (values.length - 1);
}

function ratio(numerator: number, denominator: number): number {
  return denominator > 0 ? numerator / denominator : 0;
}
