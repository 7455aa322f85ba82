/**
 * Test fixtures: a seeded random tree ensemble shaped like a trained one
 * (complete trees, float32 thresholds, leaf values around ±0.1, internal
 * values the cover-weighted means of their leaves) and feature rows with
 * some values missing (NaN).
 */
import { nextUpFloat32 } from "../../../engine/ml/float32.ts";
import { addNode, emptyTree, type Tree, type TreeEnsemble } from "../../../engine/ml/trees.ts";
import { seededUniform } from "../../../engine/ml/mod.ts";

/** `trees` complete trees of `depth` splits over `features` features. */
export function randomEnsemble(
  options: { trees: number; depth: number; features: number; seed: number },
): TreeEnsemble {
  const random = seededUniform(options.seed);
  const featureNames = Array.from({ length: options.features }, (_, i) => `feature_${i}`);
  const trees = Array.from({ length: options.trees }, () => randomTree(options, random));
  return { featureNames, baseScore: -1.3862943611198906, trees };
}

function randomTree(options: { depth: number; features: number }, random: () => number): Tree {
  const tree = emptyTree();
  const grow = (depth: number): number => {
    const node = addNode(tree);
    if (depth === options.depth) {
      tree.value[node] = (random() - 0.5) * 0.4;
      tree.cover[node] = 1 + Math.floor(random() * 200);
      return node;
    }
    tree.feature[node] = Math.floor(random() * options.features);
    tree.threshold[node] = Math.fround(random() * 2 - 1);
    tree.missingLeft[node] = random() < 0.5;
    const left = grow(depth + 1);
    const right = grow(depth + 1);
    tree.left[node] = left;
    tree.right[node] = right;
    const cover = tree.cover[left]! + tree.cover[right]!;
    tree.cover[node] = cover;
    tree.value[node] = (tree.value[left]! * tree.cover[left]! +
      tree.value[right]! * tree.cover[right]!) / cover;
    return node;
  };
  grow(0);
  return tree;
}

/**
 * `rows` rows for `model`: about 5% missing (NaN), 20% exactly on one of
 * the feature's thresholds and 10% one float32 above it (the ties where
 * `x <= threshold` decides), the rest uniform in [-1.2, 1.2].
 */
export function randomRows(model: TreeEnsemble, rows: number, seed: number): Float32Array {
  const random = seededUniform(seed);
  const width = model.featureNames.length;
  const thresholds: number[][] = Array.from({ length: width }, () => []);
  for (const tree of model.trees) {
    tree.left.forEach((left, node) => {
      if (left >= 0) thresholds[tree.feature[node]!]!.push(tree.threshold[node]!);
    });
  }
  const out = new Float32Array(rows * width);
  for (let i = 0; i < out.length; i++) {
    const u = random();
    const own = thresholds[i % width]!;
    const tie = own[Math.floor(random() * own.length)] ?? 0;
    if (u < 0.05) out[i] = NaN;
    else if (u < 0.25) out[i] = tie;
    else if (u < 0.35) out[i] = nextUpFloat32(tie);
    else out[i] = random() * 2.4 - 1.2;
  }
  return out;
}
