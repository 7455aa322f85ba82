/**
 * Training from the engine's own database, start to finish: labelled
 * snapshots (training_data.ts, the scoring features), split by customer,
 * trained with early stopping on a validation part of the training
 * customers, evaluated on the untouched test customers, and written up as a
 * model card that also keeps the training distribution of every feature
 * (for drift) and a check set (for POST /api/v1/ml/verify).
 */
import type { Db } from "../db/mod.ts";
import { type FeatureReference, featureReference } from "./drift.ts";
import type { GbdtOptionsInput, GbdtProgress, GbdtResult } from "./gbdt/mod.ts";
import type { ModelCard, ThresholdRule } from "./model_card.ts";
import { trainAndEvaluate } from "./train_and_evaluate.ts";
import { buildTrainingSet, type SnapshotOptions, type SnapshotSet } from "./training_data.ts";
import type { TreeEnsemble } from "./trees.ts";

/** What to train on and how. */
export interface TrainFromDatabaseOptions extends Omit<SnapshotOptions, "onProgress"> {
  gbdt?: GbdtOptionsInput | undefined;
  threshold?: ThresholdRule | undefined;
  trainedAt: Date;
  /** Snapshot batches built (done of total). */
  onSnapshots?: (done: number, total: number) => void;
  /** After every tree. */
  onTree?: (progress: GbdtProgress) => void;
}

/** A model trained from the database, its card (with featureReference) and its split. */
export interface TrainFromDatabaseResult {
  model: TreeEnsemble;
  card: ModelCard & { featureReference: FeatureReference[] };
  training: GbdtResult;
  data: SnapshotSet;
  /** The held-out test rows, to compare another model on the same data. */
  test: { features: Float32Array; labels: Uint8Array };
}

/** Trains a churn model on snapshots of the database. */
export async function trainFromDatabase(
  db: Db,
  options: TrainFromDatabaseOptions,
): Promise<TrainFromDatabaseResult> {
  const data = await buildTrainingSet(db, {
    ...options,
    ...(options.onSnapshots ? { onProgress: options.onSnapshots } : {}),
  });
  const train = rowsOf(data, 0);
  const test = rowsOf(data, 1);
  const { training, card } = trainAndEvaluate({ featureNames: data.featureNames, train, test }, {
    source: {
      kind: "database",
      window: { from: data.snapshotDates[0]!, to: data.snapshotDates.at(-1)! },
      horizonDays: options.horizonDays,
      description: `${data.snapshotDates.length} snapshot dates ${options.everyDays} days apart; ` +
        `label: churned within ${options.horizonDays} days after the snapshot; ` +
        "train and test split by customer",
    },
    trainedAt: options.trainedAt,
    gbdt: options.gbdt,
    threshold: options.threshold,
    onProgress: options.onTree,
  });
  return {
    model: training.model,
    card: {
      ...card,
      featureReference: featureReference(data.featureNames, train.features, train.labels.length),
    },
    training,
    data,
    test,
  };
}

/** The rows of one side of the split (0 train, 1 test). */
function rowsOf(data: SnapshotSet, side: 0 | 1): { features: Float32Array; labels: Uint8Array } {
  const width = data.featureNames.length;
  const picked: number[] = [];
  data.testMask.forEach((mask, r) => {
    if (mask === side) picked.push(r);
  });
  const features = new Float32Array(picked.length * width);
  picked.forEach((r, i) =>
    features.set(data.values.subarray(r * width, (r + 1) * width), i * width)
  );
  return { features, labels: Uint8Array.from(picked, (r) => data.labels[r]!) };
}
