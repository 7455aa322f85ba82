/**
 * The ensemble's trees laid out flat in typed arrays, for walking many rows
 * fast: path attribution (explain) of every scored customer ran at 91,000
 * rows/s over the trees' plain arrays, allocating per row; here a walk is
 * index arithmetic over contiguous memory. Each child keeps the move its
 * split makes (child's value minus the parent's), computed once, in the same
 * floating-point operations the plain walk did, so results are identical.
 */
import type { TreeEnsemble } from "./trees.ts";

/** The trees as flat arrays (node ids global across trees). */
export interface FlatTrees {
  roots: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  missingLeft: Uint8Array;
  /** Child node ids; -1 for a leaf. */
  left: Int32Array;
  right: Int32Array;
  /** A node's value minus its parent's (0 at a root). */
  move: Float64Array;
  /** The base score plus every root's value. */
  bias: number;
}

const flattened = new WeakMap<TreeEnsemble, FlatTrees>();

/** The flat layout of `model`, made once per loaded model. */
export function flatTrees(model: TreeEnsemble): FlatTrees {
  const known = flattened.get(model);
  if (known) return known;
  const nodes = model.trees.reduce((n, t) => n + t.left.length, 0);
  const flat: FlatTrees = {
    roots: new Int32Array(model.trees.length),
    feature: new Int32Array(nodes),
    threshold: new Float64Array(nodes),
    missingLeft: new Uint8Array(nodes),
    left: new Int32Array(nodes),
    right: new Int32Array(nodes),
    move: new Float64Array(nodes),
    bias: model.baseScore,
  };
  let offset = 0;
  model.trees.forEach((tree, t) => {
    flat.roots[t] = offset;
    flat.bias += tree.value[0]!;
    for (let n = 0; n < tree.left.length; n++) {
      const at = offset + n;
      const leaf = tree.left[n]! < 0;
      flat.feature[at] = tree.feature[n]!;
      flat.threshold[at] = tree.threshold[n]!;
      flat.missingLeft[at] = tree.missingLeft[n] ? 1 : 0;
      flat.left[at] = leaf ? -1 : offset + tree.left[n]!;
      flat.right[at] = leaf ? -1 : offset + tree.right[n]!;
      if (!leaf) {
        flat.move[offset + tree.left[n]!] = tree.value[tree.left[n]!]! - tree.value[n]!;
        flat.move[offset + tree.right[n]!] = tree.value[tree.right[n]!]! - tree.value[n]!;
      }
    }
    offset += tree.left.length;
  });
  flattened.set(model, flat);
  return flat;
}

// The row's values as float32, rounded once per row rather than once per split.
let rounded = new Float64Array(64);

/** Adds each feature's path attribution for `row` into `byFeature` (zeroed by the caller). */
export function attribute(flat: FlatTrees, row: ArrayLike<number>, byFeature: Float64Array): void {
  const { roots, feature, threshold, missingLeft, left, right, move } = flat;
  if (rounded.length < row.length) rounded = new Float64Array(row.length);
  const xs = rounded;
  for (let f = 0; f < row.length; f++) xs[f] = Math.fround(row[f]!);
  for (let t = 0; t < roots.length; t++) {
    let node = roots[t]!;
    while (left[node]! >= 0) {
      const f = feature[node]!;
      const x = xs[f]!;
      // x !== x: NaN, a missing value, goes where training sent it.
      const goLeft = x !== x ? missingLeft[node] === 1 : x <= threshold[node]!;
      node = goLeft ? left[node]! : right[node]!;
      byFeature[f]! += move[node]!;
    }
  }
}
