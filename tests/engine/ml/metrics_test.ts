import { assert, assertAlmostEquals, assertEquals } from "../../helpers/assert.ts";
import {
  averagePrecision,
  brierScore,
  calibrationTable,
  logLoss,
  majorityClassAccuracy,
  maxF1Threshold,
  metricsAt,
  rocAuc,
  rocAucInterval,
} from "../../../engine/ml/metrics.ts";

const p = (...values: number[]) => Float64Array.from(values);
const y = (...values: number[]) => Uint8Array.from(values);

Deno.test("rocAuc() and averagePrecision() match scikit-learn's documented example", () => {
  // sklearn.metrics docs: roc_auc_score and average_precision_score of these are 0.75 and 0.83.
  const scores = p(0.1, 0.4, 0.35, 0.8), labels = y(0, 0, 1, 1);
  assertAlmostEquals(rocAuc(scores, labels), 0.75, 1e-12);
  assertAlmostEquals(averagePrecision(scores, labels), 0.8333333333333333, 1e-12);
});

Deno.test("rocAuc() counts a tied positive and negative as one half", () => {
  // Pairs: 0.5>0.2, 0.5=0.5 (½), 0.9>0.2, 0.9>0.5 → 3.5 of 4.
  assertAlmostEquals(rocAuc(p(0.2, 0.5, 0.5, 0.9), y(0, 0, 1, 1)), 0.875, 1e-12);
  assertAlmostEquals(rocAuc(p(0.5, 0.5, 0.5, 0.5), y(0, 1, 0, 1)), 0.5, 1e-12);
  assert(Number.isNaN(rocAuc(p(0.1, 0.2), y(1, 1))), "undefined with one class");
});

Deno.test("averagePrecision() takes tied scores as one threshold, as scikit-learn does", () => {
  // Thresholds 0.9 (P 1, R ½), 0.5 (P ⅔, R 1): ½·1 + ½·⅔.
  assertAlmostEquals(averagePrecision(p(0.2, 0.5, 0.5, 0.9), y(0, 0, 1, 1)), 5 / 6, 1e-12);
  // Ranked 1,0,1,0,1: ⅓·1 + ⅓·⅔ + ⅓·⅗.
  const ap = averagePrecision(p(0.9, 0.8, 0.7, 0.6, 0.5), y(1, 0, 1, 0, 1));
  assertAlmostEquals(ap, 1 / 3 + 2 / 9 + 1 / 5, 1e-12);
});

Deno.test("brierScore() and logLoss() match scikit-learn's documented examples", () => {
  assertAlmostEquals(brierScore(p(0.1, 0.9, 0.8, 0.3), y(0, 1, 1, 0)), 0.0375, 1e-12);
  // log_loss(["spam", "ham", "ham", "spam"], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]])
  assertAlmostEquals(logLoss(p(0.9, 0.1, 0.2, 0.65), y(1, 0, 0, 1)), 0.21616187468057912, 1e-12);
  assert(Number.isFinite(logLoss(p(0, 1), y(1, 0))), "clipped, not infinite");
});

Deno.test("metricsAt() predicts churn at p >= threshold and reports the confusion", () => {
  const scores = p(0.9, 0.6, 0.5, 0.4, 0.2, 0.1), labels = y(1, 0, 1, 1, 0, 0);
  const at = metricsAt(scores, labels, 0.5);
  assertEquals(at.confusion, {
    truePositives: 2,
    falsePositives: 1,
    trueNegatives: 2,
    falseNegatives: 1,
  });
  assertAlmostEquals(at.accuracy, 4 / 6, 1e-12);
  assertAlmostEquals(at.precision, 2 / 3, 1e-12);
  assertAlmostEquals(at.recall, 2 / 3, 1e-12);
  assertAlmostEquals(at.f1, 2 / 3, 1e-12);
  // Nothing predicted positive: precision and F1 are 0, as with zero_division=0.
  const none = metricsAt(scores, labels, 0.95);
  assertEquals([none.precision, none.recall, none.f1], [0, 0, 0]);
});

Deno.test("majorityClassAccuracy() is the share of the more frequent class", () => {
  assertAlmostEquals(majorityClassAccuracy(y(0, 0, 0, 1)), 0.75, 1e-12);
  assertAlmostEquals(majorityClassAccuracy(y(1, 1, 0)), 2 / 3, 1e-12);
});

Deno.test("calibrationTable() has 10 equal-width bins with counts, mean prediction and rate", () => {
  const table = calibrationTable(p(0.05, 0.08, 0.55, 0.95, 1), y(0, 1, 1, 0, 1));
  assertEquals(table.length, 10);
  assertEquals(table[0], {
    low: 0,
    high: 0.1,
    count: 2,
    meanPredicted: 0.065,
    observedRate: 0.5,
  });
  assertEquals(table[1]!.count, 0);
  assertEquals(table[1]!.meanPredicted, null);
  assertEquals(table[5]!.count, 1);
  // A probability of exactly 1 belongs to the last bin.
  assertEquals(table[9]!.count, 2);
  assertAlmostEquals(table[9]!.observedRate!, 0.5, 1e-12);
});

Deno.test("rocAucInterval() gives DeLong's interval", () => {
  // By hand: V10 = [½, 1], V01 = [1, ½], var = 0.125/2 + 0.125/2 = 0.125.
  const { auc, interval } = rocAucInterval(p(0.1, 0.4, 0.35, 0.8), y(0, 0, 1, 1));
  assertAlmostEquals(auc, 0.75, 1e-12);
  assertAlmostEquals(interval.low, 0.75 - 1.959964 * Math.sqrt(0.125), 1e-9);
  assertEquals(interval.high, 1);
  assertEquals(interval.level, 0.95);
});

Deno.test("rocAucInterval() narrows with more rows and contains the AUC", () => {
  let seed = 7;
  const next = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) | 0) >>> 0) / 4294967296;
  const sample = (n: number) => {
    const labels = Uint8Array.from({ length: n }, () => (next() < 0.3 ? 1 : 0));
    const scores = Float64Array.from(labels, (label) => next() + 0.4 * label);
    return rocAucInterval(scores, labels);
  };
  const small = sample(200), large = sample(5000);
  for (const { auc, interval } of [small, large]) {
    assert(interval.low < auc && auc < interval.high, "the interval holds the AUC");
  }
  assert(
    large.interval.high - large.interval.low < (small.interval.high - small.interval.low) / 3,
    "25 times the rows: about a fifth of the width",
  );
  assertEquals(rocAuc(p(0.1, 0.4, 0.35, 0.8), y(0, 0, 1, 1)), 0.75);
});

Deno.test("maxF1Threshold() picks the score with the highest F1", () => {
  // At 0.7: TP 2, FP 0, FN 1 → F1 0.8; at 0.5: TP 3, FP 1 → 0.857; at 0.2: TP 3, FP 2 → 0.75.
  assertEquals(maxF1Threshold(p(0.9, 0.7, 0.6, 0.5, 0.2), y(1, 1, 0, 1, 0)), 0.5);
});
