/**
 * The training benchmark's baseline: gradient boosting written the obvious
 * way, to check the engine's histogram trainer against and to time. At every
 * node it sorts the node's rows by each feature and tries every boundary
 * between two distinct values (exact greedy, as XGBoost's `exact` method),
 * with the engine trainer's loss and rules: logistic loss, the prior's
 * log-odds as base score, gain G²L/(HL+λ) + G²R/(HR+λ) − G²/(H+λ), leaf
 * value −G/(H+λ) × learning rate, at least `minSamplesLeaf` rows and 1e-3 of
 * hessian per child, missing values tried on both sides (without any at a
 * node they follow the larger child). No binning, no histogram subtraction,
 * no buffer reuse: slow, and easy to read as correct.
 */

/** Hyperparameters, as the engine trainer's. */
export interface ExactOptions {
  trees: number;
  maxDepth: number;
  minSamplesLeaf: number;
  l2: number;
  learningRate: number;
}

/** A node: a leaf when `left` is -1. */
interface ExactNode {
  feature: number;
  threshold: number;
  missingLeft: boolean;
  left: number;
  right: number;
  value: number;
}

/** The trained model: base score (log-odds) and trees. */
export interface ExactModel {
  width: number;
  baseScore: number;
  trees: ExactNode[][];
}

interface Split {
  feature: number;
  threshold: number;
  missingLeft: boolean;
  gain: number;
}

const MIN_HESSIAN = 1e-16;
const MIN_CHILD_HESSIAN = 1e-3;
const MIN_GAIN = 1e-10;

/** Trains on row-major `features` (NaN = missing) with 0/1 `labels`; calls `onTree` after each tree. */
export function trainExact(
  data: { features: Float32Array; labels: Uint8Array; width: number },
  options: ExactOptions,
  onTree: (tree: number) => void = () => {},
): ExactModel {
  const { features, labels, width } = data;
  const n = labels.length;
  const positives = labels.reduce((sum, y) => sum + y, 0);
  const baseScore = Math.log(positives / (n - positives));
  const scores = new Float64Array(n).fill(baseScore);
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  const trees: ExactNode[][] = [];
  const x = (row: number, f: number) => features[row * width + f]!;

  const bestSplit = (rows: number[], G: number, H: number): Split | null => {
    const parent = (G * G) / (H + options.l2);
    let best: Split | null = null;
    const consider = (
      feature: number,
      threshold: number,
      missingLeft: boolean,
      gl: number,
      hl: number,
      cl: number,
    ) => {
      const gr = G - gl, hr = H - hl, cr = rows.length - cl;
      if (cl < options.minSamplesLeaf || cr < options.minSamplesLeaf) return;
      if (hl < MIN_CHILD_HESSIAN || hr < MIN_CHILD_HESSIAN) return;
      const gain = (gl * gl) / (hl + options.l2) + (gr * gr) / (hr + options.l2) - parent;
      if (gain > MIN_GAIN && gain > (best?.gain ?? 0)) {
        best = { feature, threshold, missingLeft, gain };
      }
    };
    for (let f = 0; f < width; f++) {
      const present = rows.filter((r) => !Number.isNaN(x(r, f)));
      present.sort((a, b) => x(a, f) - x(b, f));
      let gm = 0, hm = 0;
      for (const r of rows) {
        if (Number.isNaN(x(r, f))) {
          gm += g[r]!;
          hm += h[r]!;
        }
      }
      const cm = rows.length - present.length;
      let gl = 0, hl = 0;
      for (let i = 0; i < present.length; i++) {
        gl += g[present[i]!]!;
        hl += h[present[i]!]!;
        const cl = i + 1;
        const last = i === present.length - 1;
        if (!last && x(present[i]!, f) === x(present[i + 1]!, f)) continue;
        if (last) {
          // Every value left, only the missing ones right.
          if (cm > 0) consider(f, Infinity, false, gl, hl, cl);
          continue;
        }
        const threshold = (x(present[i]!, f) + x(present[i + 1]!, f)) / 2;
        if (cm > 0) {
          consider(f, threshold, false, gl, hl, cl);
          consider(f, threshold, true, gl + gm, hl + hm, cl + cm);
        } else {
          consider(f, threshold, cl >= rows.length - cl, gl, hl, cl);
        }
      }
    }
    return best;
  };

  const grow = (tree: ExactNode[], rows: number[], depth: number): number => {
    const id = tree.length;
    tree.push({ feature: -1, threshold: 0, missingLeft: false, left: -1, right: -1, value: 0 });
    let G = 0, H = 0;
    for (const r of rows) {
      G += g[r]!;
      H += h[r]!;
    }
    const split = depth < options.maxDepth && rows.length >= 2 * options.minSamplesLeaf
      ? bestSplit(rows, G, H)
      : null;
    if (split === null) {
      const value = (-G / (H + options.l2)) * options.learningRate;
      tree[id]!.value = value;
      for (const r of rows) scores[r]! += value;
      return id;
    }
    const goesLeft = (r: number) => goLeft(split, x(r, split.feature));
    const left = grow(tree, rows.filter(goesLeft), depth + 1);
    const right = grow(tree, rows.filter((r) => !goesLeft(r)), depth + 1);
    tree[id] = { ...split, left, right, value: 0 };
    return id;
  };

  const all = Array.from({ length: n }, (_, r) => r);
  for (let t = 0; t < options.trees; t++) {
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-scores[i]!));
      g[i] = p - labels[i]!;
      h[i] = Math.max(p * (1 - p), MIN_HESSIAN);
    }
    const tree: ExactNode[] = [];
    grow(tree, all, 0);
    trees.push(tree);
    onTree(t + 1);
  }
  return { width, baseScore, trees };
}

/** Churn probabilities of row-major `features` under `model`. */
export function predictExact(model: ExactModel, features: Float32Array): Float64Array {
  const rows = features.length / model.width;
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = model.baseScore;
    for (const tree of model.trees) {
      let node = tree[0]!;
      while (node.left >= 0) {
        const value = features[r * model.width + node.feature]!;
        node = tree[goLeft(node, value) ? node.left : node.right]!;
      }
      sum += node.value;
    }
    out[r] = 1 / (1 + Math.exp(-sum));
  }
  return out;
}

function goLeft(split: { threshold: number; missingLeft: boolean }, value: number): boolean {
  return Number.isNaN(value) ? split.missingLeft : value <= split.threshold;
}
