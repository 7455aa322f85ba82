/**
 * Grows one regression tree on gradients, depth first to `maxDepth`. Each
 * node owns a contiguous range of a row-index array that splits partition
 * in place (stably, so rows stay ascending and column reads stay close
 * together). Only the smaller child's histogram is built; the larger one's
 * is its parent's minus the smaller's.
 */
import { addNode, emptyTree, type Tree } from "../trees.ts";
import { type BinEdges, valueBinCount } from "./binning.ts";
import {
  buildHistogram,
  type HistogramLayout,
  type HistogramScratch,
  newHistogram,
  subtractHistogram,
} from "./histogram.ts";
import { findBestSplit, type NodeStats, type SplitChoice } from "./split_finder.ts";

/**
 * The threshold of a split that sends every value left and only missing
 * values right: the largest float32, so it stays a finite number in JSON and
 * ONNX (only +Infinity goes right with the missing values).
 */
export const ALL_VALUES_THRESHOLD = 3.4028234663852886e38;

/** What stays the same for every tree of one training run. */
export interface TreeGrowthContext {
  /** Column-major bins of the training rows, `n` per feature. */
  binned: Uint8Array;
  n: number;
  bins: BinEdges;
  layout: HistogramLayout;
  maxDepth: number;
  minSamplesLeaf: number;
  l2: number;
  learningRate: number;
}

/** A grown tree with what training needs beyond the model's shape. */
export interface GrownTree {
  tree: Tree;
  /** Per node, the last bin that goes left (-1 for leaves). */
  splitBin: number[];
  /** Loss reduction per feature in this tree, for importances. */
  gains: Float64Array;
}

/** Per-node totals of leaves below it: sum of cover × value and sum of cover. */
interface LeafMass {
  weighted: number;
  cover: number;
}

/** One tree being grown: its arrays, the round's gradients, and the scores it adds to. */
interface GrowJob {
  grown: GrownTree;
  gradients: Float64Array;
  hessians: Float64Array;
  scores: Float64Array;
}

/** Reusable buffers of one training run. */
export class TreeGrower {
  readonly #ctx: TreeGrowthContext;
  readonly #rows: Uint32Array;
  readonly #spill: Uint32Array;
  readonly #scratch: HistogramScratch;
  readonly #pool: Float64Array[] = [];
  readonly #valueBins: Uint16Array;

  constructor(ctx: TreeGrowthContext) {
    this.#ctx = ctx;
    this.#rows = new Uint32Array(ctx.n);
    this.#spill = new Uint32Array(ctx.n);
    this.#scratch = { gradients: new Float64Array(ctx.n), hessians: new Float64Array(ctx.n) };
    this.#valueBins = Uint16Array.from(ctx.bins.edges, valueBinCount);
  }

  /**
   * Grows a tree on `gradients`/`hessians` and adds each training row's leaf
   * value to `scores`, in the same order the model adds them when it scores.
   */
  grow(gradients: Float64Array, hessians: Float64Array, scores: Float64Array): GrownTree {
    const ctx = this.#ctx;
    const rows = this.#rows;
    for (let i = 0; i < ctx.n; i++) rows[i] = i;
    const grown: GrownTree = {
      tree: emptyTree(),
      splitBin: [],
      gains: new Float64Array(ctx.bins.edges.length),
    };
    const totals: NodeStats = { g: 0, h: 0, count: ctx.n };
    for (let i = 0; i < ctx.n; i++) {
      totals.g += gradients[i]!;
      totals.h += hessians[i]!;
    }
    let rootHist: Float64Array | null = null;
    if (this.#canSplit(0, ctx.n)) {
      rootHist = this.#take();
      this.#build(rootHist, 0, ctx.n, gradients, hessians);
    }
    const job: GrowJob = { grown, gradients, hessians, scores };
    this.#node(job, this.#allocate(grown), 0, ctx.n, 0, totals, rootHist);
    return grown;
  }

  #node(
    job: GrowJob,
    id: number,
    start: number,
    end: number,
    depth: number,
    totals: NodeStats,
    hist: Float64Array | null,
  ): LeafMass {
    const ctx = this.#ctx;
    const split = hist === null ? null : findBestSplit(hist, ctx.layout, totals, ctx);
    if (split === null) {
      if (hist) this.#release(hist);
      return this.#leaf(job, id, start, end);
    }
    const { tree, splitBin, gains } = job.grown;
    const mid = this.#partition(start, end, split);
    const leftId = this.#allocate(job.grown);
    const rightId = this.#allocate(job.grown);
    const edges = ctx.bins.edges[split.feature]!;
    tree.feature[id] = split.feature;
    tree.threshold[id] = split.bin < edges.length ? edges[split.bin]! : ALL_VALUES_THRESHOLD;
    tree.missingLeft[id] = split.missingLeft;
    tree.left[id] = leftId;
    tree.right[id] = rightId;
    splitBin[id] = split.bin;
    gains[split.feature]! += split.gain;

    const needLeft = depth + 1 < ctx.maxDepth && this.#canSplit(start, mid);
    const needRight = depth + 1 < ctx.maxDepth && this.#canSplit(mid, end);
    let leftHist: Float64Array | null = null, rightHist: Float64Array | null = null;
    if (needLeft || needRight) {
      const leftSmaller = mid - start <= end - mid;
      const small = this.#take();
      if (leftSmaller) this.#build(small, start, mid, job.gradients, job.hessians);
      else this.#build(small, mid, end, job.gradients, job.hessians);
      const needLarge = leftSmaller ? needRight : needLeft;
      const needSmall = leftSmaller ? needLeft : needRight;
      // The parent's buffer becomes the larger child's histogram.
      if (needLarge) subtractHistogram(hist!, small);
      else this.#release(hist!);
      if (!needSmall) this.#release(small);
      const large = needLarge ? hist : null;
      const smallKept = needSmall ? small : null;
      leftHist = leftSmaller ? smallKept : large;
      rightHist = leftSmaller ? large : smallKept;
    } else {
      this.#release(hist!);
    }
    const left = this.#node(job, leftId, start, mid, depth + 1, split.left, leftHist);
    const right = this.#node(job, rightId, mid, end, depth + 1, split.right, rightHist);
    const cover = left.cover + right.cover;
    const weighted = left.weighted + right.weighted;
    tree.cover[id] = cover;
    // The cover-weighted mean of the leaves below: what path attribution starts from.
    tree.value[id] = cover > 0 ? weighted / cover : 0;
    return { weighted, cover };
  }

  /** Makes `id` a leaf from its rows' exact sums, and adds its value to their scores. */
  #leaf(
    job: GrowJob,
    id: number,
    start: number,
    end: number,
  ): LeafMass {
    const rows = this.#rows;
    let g = 0, h = 0;
    for (let i = start; i < end; i++) {
      g += job.gradients[rows[i]!]!;
      h += job.hessians[rows[i]!]!;
    }
    const value = (-g / (h + this.#ctx.l2)) * this.#ctx.learningRate;
    for (let i = start; i < end; i++) job.scores[rows[i]!]! += value;
    job.grown.tree.value[id] = value;
    job.grown.tree.cover[id] = h;
    return { weighted: h * value, cover: h };
  }

  /** Reorders rows[start..end) so left-going rows come first; returns where the right ones start. */
  #partition(start: number, end: number, split: SplitChoice): number {
    const { binned, n } = this.#ctx;
    const rows = this.#rows, spill = this.#spill;
    const column = split.feature * n;
    const missingBin = this.#valueBins[split.feature]!;
    let write = start, spilled = 0;
    for (let i = start; i < end; i++) {
      const r = rows[i]!;
      const bin = binned[column + r]!;
      const goLeft = bin === missingBin ? split.missingLeft : bin <= split.bin;
      if (goLeft) rows[write++] = r;
      else spill[spilled++] = r;
    }
    rows.set(spill.subarray(0, spilled), write);
    return write;
  }

  #canSplit(start: number, end: number): boolean {
    return end - start >= 2 * this.#ctx.minSamplesLeaf;
  }

  #build(hist: Float64Array, start: number, end: number, g: Float64Array, h: Float64Array): void {
    const ctx = this.#ctx;
    buildHistogram(
      hist,
      ctx.layout,
      ctx.binned,
      ctx.n,
      this.#rows,
      { start, end },
      g,
      h,
      this.#scratch,
    );
  }

  #allocate(grown: GrownTree): number {
    grown.splitBin.push(-1);
    return addNode(grown.tree);
  }

  #take(): Float64Array {
    return this.#pool.pop() ?? newHistogram(this.#ctx.layout);
  }

  #release(hist: Float64Array): void {
    this.#pool.push(hist);
  }
}
