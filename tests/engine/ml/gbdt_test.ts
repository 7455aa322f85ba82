import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertMatch,
  assertThrows,
} from "../../helpers/assert.ts";
import { EngineError } from "../../../engine/errors.ts";
import { trainGbdt } from "../../../engine/ml/gbdt/mod.ts";
import { rocAuc } from "../../../engine/ml/metrics.ts";
import { rawScore, sigmoid, type Tree } from "../../../engine/ml/trees.ts";
import { syntheticSet } from "./_synthetic.ts";

const rowOf = (features: Float64Array, width: number, r: number) =>
  features.subarray(r * width, (r + 1) * width);

function scoreRows(model: Parameters<typeof rawScore>[0], set: ReturnType<typeof syntheticSet>) {
  const width = set.featureNames.length;
  return Float64Array.from(
    set.labels,
    (_, r) => sigmoid(rawScore(model, rowOf(set.features, width, r))),
  );
}

Deno.test("trainGbdt() learns a known function and ranks unseen rows almost perfectly", () => {
  const rule = (x: Float64Array) => (x[0]! + x[1]! * x[1]! - 0.3 > 0 ? 1 : 0);
  const train = syntheticSet(4000, 5, rule, { seed: 1 });
  const test = syntheticSet(2000, 5, rule, { seed: 2 });
  const result = trainGbdt(train);
  assert(rocAuc(scoreRows(result.model, test), test.labels) > 0.98, "AUC on unseen rows");
  // The two features that decide the label carry almost all the gain.
  const top = result.importances.slice(0, 2).map((i) => i.feature).sort();
  assertEquals(top, ["x0", "x1"]);
  assertAlmostEquals(result.importances.reduce((sum, i) => sum + i.importance, 0), 1, 1e-9);
});

Deno.test("trainGbdt() scores training rows exactly as the model's own evaluator does", () => {
  // Missing values and values that are not float32 numbers: binning, float32
  // thresholds and learned missing directions must agree with trees.ts.
  const set = syntheticSet(3000, 6, (x, next) => {
    const a = Number.isNaN(x[0]!) ? 0.8 : x[0]!;
    return next() < sigmoid(3 * a - 2 * (x[2]! || 0)) ? 1 : 0;
  }, { seed: 3, missing: 0.15 });
  const width = set.featureNames.length;
  const result = trainGbdt(set, { maxTrees: 40, earlyStoppingRounds: 0 });
  for (
    const [rows, scores] of [
      [result.trainRows, result.trainScores],
      [result.validationRows, result.validationScores],
    ] as const
  ) {
    rows.forEach((r, i) => {
      const score = rawScore(result.model, rowOf(set.features, width, r));
      assertAlmostEquals(score, scores[i]!, 1e-9);
    });
  }
  for (const tree of result.model.trees) {
    tree.threshold.forEach((t) => assertEquals(Math.fround(t), t));
  }
});

Deno.test("trainGbdt() routes missing values where training learned they belong", () => {
  // x0 decides the label, except that a missing x0 means churn.
  const set = syntheticSet(3000, 3, (x) => (Number.isNaN(x[0]!) || x[0]! > 0.5 ? 1 : 0), {
    seed: 4,
    missing: 0.2,
  });
  const { model } = trainGbdt(set);
  const p = (x0: number) => sigmoid(rawScore(model, [x0, 0, 0]));
  assert(p(NaN) > 0.9, `missing x0 predicts churn, got ${p(NaN)}`);
  assert(p(0) < 0.1, `x0 = 0 predicts no churn, got ${p(0)}`);
  assert(p(0.9) > 0.9, `x0 = 0.9 predicts churn, got ${p(0.9)}`);
});

Deno.test("trainGbdt() sends a value never missing in training to the larger child", () => {
  const set = syntheticSet(2000, 2, (x) => (x[0]! > 0.6 ? 1 : 0), { seed: 5 });
  const { model } = trainGbdt(set, { maxDepth: 1, maxTrees: 1, validationFraction: 0 });
  const tree = model.trees[0]!;
  // Most rows have x0 <= 0.6, so they and unseen missing values go left.
  assertEquals(tree.missingLeft[0], true);
  assertAlmostEquals(tree.threshold[0]!, 0.6, 0.01);
});

Deno.test("trainGbdt() stops early when validation loss stops improving", () => {
  // Labels independent of the features: nothing to learn beyond the prior.
  const set = syntheticSet(3000, 4, (_, next) => (next() < 0.3 ? 1 : 0), { seed: 6 });
  const progress: number[] = [];
  const result = trainGbdt(set, {
    earlyStoppingRounds: 10,
    onProgress: (p) => progress.push(p.tree),
  });
  assert(result.stoppedEarly, "stopped early");
  assert(result.treesGrown < 60, `grew ${result.treesGrown} trees`);
  assertEquals(result.treesUsed, result.treesGrown - 10);
  assertEquals(result.model.trees.length, result.treesUsed);
  assertEquals(result.validationCurve.length, result.treesGrown);
  assertEquals(progress, Array.from({ length: result.treesGrown }, (_, i) => i + 1));
  // The kept trees end at the lowest validation loss.
  const best = Math.min(...result.validationCurve);
  assertEquals(result.validationCurve[result.treesUsed - 1], best);
});

Deno.test("trainGbdt() with balanced class weights starts from even odds", () => {
  const set = syntheticSet(4000, 3, (x, next) => (next() < sigmoid(2 * x[0]! - 3.5) ? 1 : 0), {
    seed: 8,
  });
  const positives = set.labels.reduce((sum, label) => sum + label, 0);
  assert(positives / set.labels.length < 0.1, "imbalanced");
  const plain = trainGbdt(set, { maxTrees: 30 });
  const balanced = trainGbdt(set, { maxTrees: 30, classWeight: "balanced" });
  // With weights, the weighted prior is even: log-odds 0.
  assertAlmostEquals(balanced.model.baseScore, 0, 1e-12);
  assert(plain.model.baseScore < -2, "the plain prior is the data's");
  const mean = (model: typeof plain.model) =>
    scoreRows(model, set).reduce((sum, p) => sum + p, 0) / set.labels.length;
  assert(mean(balanced.model) > 3 * mean(plain.model), "weighted probabilities are higher");
});

Deno.test("trainGbdt() gives internal nodes the cover-weighted mean of their leaves", () => {
  const set = syntheticSet(3000, 4, (x) => (x[0]! * x[1]! > 0 ? 1 : 0), { seed: 9 });
  const { model } = trainGbdt(set, { maxTrees: 5, earlyStoppingRounds: 0 });
  const leaves = (tree: Tree, node: number): number[] =>
    tree.left[node]! < 0
      ? [node]
      : [...leaves(tree, tree.left[node]!), ...leaves(tree, tree.right[node]!)];
  let internal = 0;
  for (const tree of model.trees) {
    tree.left.forEach((left, node) => {
      if (left < 0) return;
      internal++;
      const below = leaves(tree, node);
      const cover = below.reduce((sum, leaf) => sum + tree.cover[leaf]!, 0);
      const weighted = below.reduce((sum, leaf) => sum + tree.cover[leaf]! * tree.value[leaf]!, 0);
      assertAlmostEquals(tree.cover[node]!, cover, 1e-9 * cover);
      assertAlmostEquals(tree.value[node]!, weighted / cover, 1e-12);
    });
  }
  assert(internal > 20, "the trees have splits");
});

Deno.test("trainGbdt() is deterministic for a seed", () => {
  const set = syntheticSet(1500, 3, (x, next) => (next() < sigmoid(3 * x[1]!) ? 1 : 0));
  const a = trainGbdt(set, { seed: 11 }), b = trainGbdt(set, { seed: 11 });
  assertEquals(JSON.stringify(a.model), JSON.stringify(b.model));
});

Deno.test("trainGbdt() refuses bad options and one-class data", () => {
  const set = syntheticSet(100, 2, (x) => (x[0]! > 0 ? 1 : 0));
  const bad = assertThrows(() => trainGbdt(set, { learningRate: 0 }), EngineError);
  assertEquals(bad.code, "VALIDATION_FAILED");
  assertEquals(bad.issues[0]!.path, "learningRate");
  const oneClass = { ...set, labels: new Uint8Array(100) };
  const error = assertThrows(() => trainGbdt(oneClass), EngineError);
  assertEquals(error.code, "DATASET_INVALID");
});

Deno.test("trainGbdt() refuses values beyond float32's range, which trees cannot route as trained", () => {
  const set = syntheticSet(100, 2, (x) => (x[0]! > 0 ? 1 : 0));
  set.features[7] = 1e39;
  const error = assertThrows(() => trainGbdt(set), EngineError);
  assertEquals(error.code, "DATASET_INVALID");
  assertMatch(error.message, /Feature "x1" of training row 3 is 1e\+39, outside the float32 range/);
});
