/**
 * Values of inner nodes and covers, which ONNX has no field for but path
 * attribution (explain) needs. Our files carry them, and the exact leaf
 * values, in metadata; a file from elsewhere gets cover 1 per leaf, so an
 * inner node's value is the plain mean of the leaves below it.
 */
import { modelInvalid } from "./model_errors.ts";
import type { ParsedTree } from "./onnx_trees.ts";
import type { Tree } from "./trees.ts";

/** Per tree, one number per node (as `cs.node_values` / `cs.node_covers` hold them). */
export type NodeNumbers = number[][];

/**
 * Completes the parsed trees. `values` (exact node values) must agree with
 * the file's leaf weights to float32 precision, or they describe another
 * model and the file is refused.
 */
export function withNodeStats(
  parsed: ParsedTree[],
  stored: { values: NodeNumbers | null; covers: NodeNumbers | null },
): Tree[] {
  return parsed.map((tree, t) => {
    const { leafValue, ...shape } = tree;
    const size = leafValue.length;
    const values = stored.values?.[t];
    const covers = stored.covers?.[t];
    if (values && values.length !== size || covers && covers.length !== size) {
      modelInvalid(`the node metadata of tree ${t} does not have ${size} nodes`);
    }
    const isLeaf = (node: number) => tree.left[node]! < 0;
    const value = values
      ? leafValue.map((w, node) =>
        isLeaf(node) ? exactLeaf(values[node]!, w, t, node) : values[node]!
      )
      : [...leafValue];
    const cover = covers ? [...covers] : leafValue.map(() => 1);
    if (!values || !covers) fillInner(shape, value, cover, { values: !values, covers: !covers });
    return { ...shape, value, cover };
  });
}

/** The stored leaf value when it rounds to the file's float32 weight. */
function exactLeaf(stored: number, weight: number, tree: number, node: number): number {
  if (Math.fround(stored) !== Math.fround(weight)) {
    modelInvalid(
      `cs.node_values says ${stored} for leaf ${node} of tree ${tree}, but its weight is ${weight}: ` +
        "the metadata belongs to another model; export the model again",
    );
  }
  return stored;
}

/**
 * Fills inner nodes from their children: covers as sums, values as
 * cover-weighted means. Children before parents: the reverse of a pre-order
 * walk from the root (node indexes need not be in any order).
 */
function fillInner(
  tree: Omit<Tree, "value" | "cover">,
  value: number[],
  cover: number[],
  fill: { values: boolean; covers: boolean },
): void {
  const preOrder: number[] = [];
  const stack = [0];
  while (stack.length > 0) {
    const node = stack.pop()!;
    preOrder.push(node);
    if (tree.left[node]! >= 0) stack.push(tree.left[node]!, tree.right[node]!);
  }
  for (const node of preOrder.reverse()) {
    const left = tree.left[node]!;
    if (left < 0) continue;
    const right = tree.right[node]!;
    const total = cover[left]! + cover[right]!;
    if (fill.covers) cover[node] = total;
    if (fill.values) {
      value[node] = total > 0
        ? (value[left]! * cover[left]! + value[right]! * cover[right]!) / total
        : (value[left]! + value[right]!) / 2;
    }
  }
}

/** Reads `cs.node_values` / `cs.node_covers`: per tree, an array of finite numbers. */
export function parseNodeNumbers(text: string | undefined, key: string): NodeNumbers | null {
  if (text === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    modelInvalid(`${key} is not JSON`);
  }
  const ok = Array.isArray(parsed) &&
    parsed.every((tree) =>
      Array.isArray(tree) && tree.every((n) => typeof n === "number" && Number.isFinite(n))
    );
  if (!ok) modelInvalid(`${key} must be a JSON array with one array of numbers per tree`);
  return parsed as NodeNumbers;
}
