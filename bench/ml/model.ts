/**
 * The model the scoring benchmark runs: 100 trees of depth 6 over the
 * engine's churn features, trained by the engine's trainer on synthetic rows
 * (the benchmark population has no churn history to learn from, and the cost
 * of scoring depends on the trees' size, not on what they learned), written
 * as ONNX by the engine's exporter and registered and activated in the
 * benchmark database as any model is. A run registers it afresh and removes
 * it afterwards, putting back the model that was active before, if any.
 */
import type { Db } from "../../engine/db/mod.ts";
import {
  activateModel,
  churnFeatureNames,
  encodeOnnxModel,
  featureReference,
  registerModel,
  trainGbdt,
  type TreeEnsemble,
} from "../../engine/ml/mod.ts";
import { syntheticChurnRows } from "./synthetic.ts";

/** The registry version of the benchmark's model. */
export const BENCH_MODEL_VERSION = "0.0.0-bench";

const CHANGE = { actor: "bench:ml" } as const;

/** The trained model, its ONNX bytes and card, and its size. */
export interface BenchModel {
  ensemble: TreeEnsemble;
  onnx: Uint8Array;
  card: Record<string, unknown>;
  trees: number;
  depth: number;
  leaves: number;
  trainRows: number;
  trainSeconds: number;
}

/** Trains `trees` trees of `depth` on `rows` synthetic rows of the churn features, all kept. */
export function trainBenchModel(
  options: { rows: number; trees: number; depth: number },
): BenchModel {
  const data = syntheticChurnRows(options.rows, 2026);
  const started = performance.now();
  const result = trainGbdt(data, {
    maxTrees: options.trees,
    maxDepth: options.depth,
    // Every tree is kept: no validation part, no early stopping.
    validationFraction: 0,
    earlyStoppingRounds: 0,
  });
  const trainSeconds = (performance.now() - started) / 1000;
  const ensemble = result.model;
  return {
    ensemble,
    onnx: encodeOnnxModel(ensemble, { version: BENCH_MODEL_VERSION }),
    // What a trained model's card gives the scoring stage: the training distribution, for drift.
    card: {
      features: [...churnFeatureNames],
      featureReference: featureReference(data.featureNames, data.features, options.rows),
    },
    trees: ensemble.trees.length,
    depth: Math.max(...ensemble.trees.map(depthOf)),
    leaves: ensemble.trees.reduce((n, t) => n + t.left.filter((l) => l < 0).length, 0),
    trainRows: options.rows,
    trainSeconds,
  };
}

/**
 * Registers and activates the benchmark's model (replacing one a previous
 * run left behind); returns the version that was active before, if another.
 */
export async function installBenchModel(db: Db, model: BenchModel): Promise<string | null> {
  const [active] = await db.query<{ version: string }>(
    "select version from churn_models where status = 'active' and version <> $1",
    [BENCH_MODEL_VERSION],
  );
  await db.query("delete from churn_models where version = $1", [BENCH_MODEL_VERSION]);
  const now = new Date();
  await registerModel(db, {
    version: BENCH_MODEL_VERSION,
    onnx: model.onnx,
    featureNames: churnFeatureNames,
    card: model.card,
    metrics: {},
    source: "file:bench/ml/model.ts",
    trainedAt: now,
  }, { ...CHANGE, now });
  await activateModel(db, BENCH_MODEL_VERSION, { ...CHANGE, now, reason: "benchmark run" });
  return active?.version ?? null;
}

/** Removes the benchmark's model and makes `previous` active again. */
export async function removeBenchModel(db: Db, previous: string | null): Promise<void> {
  if (previous) {
    await activateModel(db, previous, {
      ...CHANGE,
      now: new Date(),
      reason: "benchmark run finished",
    });
  }
  await db.query("delete from churn_models where version = $1", [BENCH_MODEL_VERSION]);
}

function depthOf(tree: TreeEnsemble["trees"][number]): number {
  const walk = (node: number): number =>
    tree.left[node]! < 0 ? 0 : 1 + Math.max(walk(tree.left[node]!), walk(tree.right[node]!));
  return walk(0);
}
