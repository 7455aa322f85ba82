/**
 * Reads the trees of a TreeEnsembleRegressor / TreeEnsembleClassifier into
 * the engine's Tree arrays, keeping onnxruntime's reading of them: a tree's
 * nodes are listed together, its root first; a node goes to its true child
 * when the comparison holds or, if it tracks missing values as true, when
 * the value is NaN; a leaf scores its one weight.
 *
 * Splits other than `x <= t` are rewritten to it, exactly for float32
 * inputs: `x < t` is `x <= nextDown(t)`, and `x > t` / `x >= t` are the
 * negations with the children swapped. Equality splits (categorical) have
 * no such form and are refused.
 */
import { nextDownFloat32 } from "./float32.ts";
import { modelInvalid, modelUnsupported } from "./model_errors.ts";
import type { NodeAttributes } from "./onnx_attributes.ts";
import type { Tree } from "./trees.ts";

/** The leaf weights of one target/class, by tree and node id. */
export interface LeafWeights {
  treeIds: number[];
  nodeIds: number[];
  targetIds: number[];
  weights: number[];
}

/** A tree read from the file, before values of inner nodes and covers are known. */
export type ParsedTree = Omit<Tree, "value" | "cover"> & { leafValue: number[] };

/** The trees of `attributes` (nodes_*), scoring the leaves with `leaves`. */
export function parseTrees(
  attributes: NodeAttributes,
  leaves: LeafWeights,
  width: number,
): ParsedTree[] {
  const nodes = {
    treeIds: attributes.ints("nodes_treeids"),
    nodeIds: attributes.ints("nodes_nodeids"),
    featureIds: attributes.ints("nodes_featureids"),
    values: attributes.floats("nodes_values"),
    modes: attributes.strings("nodes_modes"),
    trueIds: attributes.ints("nodes_truenodeids"),
    falseIds: attributes.ints("nodes_falsenodeids"),
    missingTrue: attributes.ints("nodes_missing_value_tracks_true"),
  };
  const count = nodes.treeIds.length;
  if (count === 0) modelInvalid("its tree operator has no nodes");
  for (const [name, list] of Object.entries(nodes)) {
    if (list.length !== count && !(name === "missingTrue" && list.length === 0)) {
      modelInvalid(
        `its nodes_* attributes have different lengths (${count} tree ids, ${list.length} ${name})`,
      );
    }
  }
  const trees = new Map<number, { ids: Map<number, number>; first: number; size: number }>();
  const order: number[] = [];
  for (let i = 0; i < count; i++) {
    const treeId = nodes.treeIds[i]!;
    let tree = trees.get(treeId);
    if (!tree) {
      tree = { ids: new Map(), first: i, size: 0 };
      trees.set(treeId, tree);
      order.push(treeId);
    } else if (nodes.treeIds[i - 1] !== treeId) {
      modelInvalid(`the nodes of tree ${treeId} are not listed together`);
    }
    if (tree.ids.has(nodes.nodeIds[i]!)) {
      modelInvalid(`tree ${treeId} has node ${nodes.nodeIds[i]} twice`);
    }
    tree.ids.set(nodes.nodeIds[i]!, tree.size++);
  }
  for (const tree of trees.values()) tree.ids = indexes(tree.ids);
  const weights = leafWeights(leaves, trees);
  return order.map((treeId) => {
    const { ids, first, size } = trees.get(treeId)!;
    const at = (i: number) => ({
      node: ids.get(nodes.nodeIds[i]!)!,
      mode: nodes.modes[i]!,
      feature: nodes.featureIds[i]!,
      threshold: nodes.values[i]!,
      trueChild: ids.get(nodes.trueIds[i]!),
      falseChild: ids.get(nodes.falseIds[i]!),
      missingTrue: nodes.missingTrue[i] === 1,
    });
    const tree = emptyTree(size);
    for (let i = first; i < first + size; i++) {
      const node = at(i);
      placeNode(tree, node, { treeId, width, weight: weights.get(treeId)?.get(node.node) });
    }
    checkShape(tree, treeId);
    weights.get(treeId)?.forEach((_, node) => {
      if (tree.left[node]! >= 0) modelInvalid(`tree ${treeId} has weights on a branch node`);
    });
    return tree;
  });
}

/**
 * Each split mode as `x <= t'`: `strict` modes (`<`, `>=`) move the
 * threshold one float32 down; `trueIsLeft` is false for `>` and `>=`, whose
 * true child is where `x <= t'` fails.
 */
const SPLITS = new Map([
  ["BRANCH_LEQ", { strict: false, trueIsLeft: true }],
  ["BRANCH_LT", { strict: true, trueIsLeft: true }],
  ["BRANCH_GT", { strict: false, trueIsLeft: false }],
  ["BRANCH_GTE", { strict: true, trueIsLeft: false }],
]);

/**
 * Array index of each node id: the root (listed first, as onnxruntime takes
 * it) at 0, the others by node id — the order converters number them in, so
 * a file's node ids are usually our indexes whatever order lists them.
 */
function indexes(listed: Map<number, number>): Map<number, number> {
  const [root, ...rest] = listed.keys();
  rest.sort((a, b) => a - b);
  return new Map([root!, ...rest].map((id, index) => [id, index]));
}

interface RawNode {
  node: number;
  mode: string;
  feature: number;
  threshold: number;
  trueChild: number | undefined;
  falseChild: number | undefined;
  missingTrue: boolean;
}

/** Writes one node into `tree` as a `x <= t` split (or a leaf). */
function placeNode(
  tree: ParsedTree,
  raw: RawNode,
  at: { treeId: number; width: number; weight: number | undefined },
): void {
  const { node } = raw;
  const where = `node ${node} of tree ${at.treeId}`;
  if (raw.mode === "LEAF") {
    if (at.weight === undefined) modelInvalid(`${where} is a leaf without a weight`);
    tree.leafValue[node] = at.weight;
    return;
  }
  if (raw.trueChild === undefined || raw.falseChild === undefined) {
    modelInvalid(`${where} points to a missing child`);
  }
  if (!(raw.feature >= 0 && raw.feature < at.width)) {
    modelInvalid(
      `${where} splits on feature ${raw.feature}, but the input has ${at.width} columns`,
    );
  }
  if (Number.isNaN(raw.threshold)) modelInvalid(`${where} has a NaN threshold`);
  const split = SPLITS.get(raw.mode);
  if (!split) {
    modelUnsupported(
      `${where} uses the split mode ${raw.mode}; the engine scores ` +
        "BRANCH_LEQ, BRANCH_LT, BRANCH_GT and BRANCH_GTE (one-hot encode categorical features " +
        "instead of equality splits)",
    );
  }
  tree.feature[node] = raw.feature;
  tree.threshold[node] = split.strict ? nextDownFloat32(raw.threshold) : raw.threshold;
  tree.left[node] = split.trueIsLeft ? raw.trueChild : raw.falseChild;
  tree.right[node] = split.trueIsLeft ? raw.falseChild : raw.trueChild;
  // NaN fails every comparison, so it takes the false child unless it tracks true.
  tree.missingLeft[node] = split.trueIsLeft ? raw.missingTrue : !raw.missingTrue;
}

/**
 * The weight of each leaf: `Map<treeId, Map<node index, weight>>`. One
 * weight per leaf: onnxruntime reads only the first of several for a
 * single target, so a file with more is ambiguous.
 */
function leafWeights(
  leaves: LeafWeights,
  trees: Map<number, { ids: Map<number, number> }>,
): Map<number, Map<number, number>> {
  const out = new Map<number, Map<number, number>>();
  leaves.treeIds.forEach((treeId, i) => {
    const node = trees.get(treeId)?.ids.get(leaves.nodeIds[i]!);
    if (node === undefined) {
      modelInvalid(
        `a leaf weight names node ${leaves.nodeIds[i]} of tree ${treeId}, which does not exist`,
      );
    }
    const perTree = out.get(treeId) ?? new Map<number, number>();
    out.set(treeId, perTree);
    if (perTree.has(node)) {
      modelInvalid(`node ${leaves.nodeIds[i]} of tree ${treeId} has several leaf weights`);
    }
    perTree.set(node, leaves.weights[i]!);
  });
  return out;
}

/**
 * Every node is reached from the root (the first listed, as onnxruntime
 * takes it), and only once: one parent each, no cycles.
 */
function checkShape(tree: ParsedTree, treeId: number): void {
  const seen = new Uint8Array(tree.left.length);
  const stack = [0];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen[node]) modelInvalid(`tree ${treeId} is not a tree: node ${node} is reached twice`);
    seen[node] = 1;
    if (tree.left[node]! >= 0) stack.push(tree.left[node]!, tree.right[node]!);
  }
  if (seen.includes(0)) {
    modelInvalid(
      `tree ${treeId} has nodes its first listed node (the root) does not reach; list the root first`,
    );
  }
}

function emptyTree(size: number): ParsedTree {
  return {
    feature: new Array(size).fill(0),
    threshold: new Array(size).fill(0),
    missingLeft: new Array(size).fill(false),
    left: new Array(size).fill(-1),
    right: new Array(size).fill(-1),
    leafValue: new Array(size).fill(0),
  };
}
