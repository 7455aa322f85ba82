import { assertEquals } from "../../helpers/assert.ts";
import { TopContributions } from "../../../engine/ml/top_contributions.ts";
import { explain, type TreeEnsemble } from "../../../engine/ml/trees.ts";
import { randomEnsemble, randomRows } from "./_random_ensemble.ts";

/**
 * Path attribution the plain way, straight from the definition: walk each
 * tree from the root, crediting each split's feature with the move from the
 * node's value to the child's; then every feature with an effect, largest
 * first, equal effects in feature order.
 */
function reference(model: TreeEnsemble, row: ArrayLike<number>): Array<[number, number]> {
  const byFeature = new Float64Array(model.featureNames.length);
  for (const tree of model.trees) {
    let node = 0;
    while (tree.left[node]! >= 0) {
      const f = tree.feature[node]!;
      const x = Math.fround(row[f]!);
      const left = Number.isNaN(x) ? tree.missingLeft[node]! : x <= tree.threshold[node]!;
      const next = left ? tree.left[node]! : tree.right[node]!;
      byFeature[f]! += tree.value[next]! - tree.value[node]!;
      node = next;
    }
  }
  return [...byFeature.keys()]
    .filter((f) => byFeature[f] !== 0)
    .sort((a, b) => Math.abs(byFeature[b]!) - Math.abs(byFeature[a]!))
    .map((f) => [f, byFeature[f]!]);
}

Deno.test("TopContributions keeps the largest path attributions of each row, exactly as walked", () => {
  const model = randomEnsemble({ trees: 40, depth: 5, features: 12, seed: 3 });
  const rows = randomRows(model, 2_000, 4);
  const top = new TopContributions(model, 5);
  for (let r = 0; r < 2_000; r++) {
    const row = rows.subarray(r * 12, (r + 1) * 12);
    const expected = reference(model, row).slice(0, 5);
    const count = top.explain(row);
    const got = Array.from({ length: count }, (_, k) => [top.features[k]!, top.contributions[k]!]);
    assertEquals(got, expected, `row ${r}`);
  }
});

Deno.test("equal effects keep feature order, features with none are left out", () => {
  // One tree splitting twice on feature 2 then once on feature 0: features 1 and 3 do nothing.
  const model: TreeEnsemble = {
    featureNames: ["a", "b", "c", "d"],
    baseScore: 0,
    trees: [{
      feature: [2, 0, 0, 0, 0],
      threshold: [0, 0, 0, 0, 0],
      missingLeft: [true, true, false, false, false],
      left: [1, 3, -1, -1, -1],
      right: [2, 4, -1, -1, -1],
      // Root 0 → node 1 (+0.25 on c) → leaf 3 (+0.25 on a): equal effects.
      value: [0, 0.25, -0.25, 0.5, 0],
      cover: [4, 2, 2, 1, 1],
    }],
  };
  const top = new TopContributions(model, 5);
  const row = new Float32Array([-1, 7, -1, 7]);
  assertEquals(top.explain(row), 2);
  assertEquals([...top.features.slice(0, 2)], [0, 2]);
  assertEquals([...top.contributions.slice(0, 2)], [0.25, 0.25]);
  // explain() is the same attribution, named.
  assertEquals(explain(model, row).contributions, [
    { feature: "a", contribution: 0.25 },
    { feature: "c", contribution: 0.25 },
  ]);
  // Fewer places than effects: the largest first.
  const one = new TopContributions(model, 1);
  assertEquals([one.explain(row), one.features[0], one.contributions[0]], [1, 0, 0.25]);
});
