/**
 * The part every way of training shares: train on the training rows (early
 * stopping on a validation part of them), score the untouched test rows, pick
 * the threshold and write up the model card.
 */
import {
  type GbdtOptionsInput,
  type GbdtProgress,
  type GbdtResult,
  trainGbdt,
} from "./gbdt/mod.ts";
import {
  buildModelCard,
  chooseThreshold,
  type DataSource,
  type ModelCard,
  type ThresholdRule,
} from "./model_card.ts";
import { predictProbabilities } from "./trees.ts";

/** Row-major features (NaN = missing) with their 0/1 labels. */
export interface LabelledRows {
  features: Float32Array;
  labels: Uint8Array;
}

/** Trains on `train`, evaluates on `test`; returns the run and its card. */
export function trainAndEvaluate(
  data: { featureNames: readonly string[]; train: LabelledRows; test: LabelledRows },
  options: {
    source: DataSource;
    trainedAt: Date;
    gbdt?: GbdtOptionsInput | undefined;
    threshold?: ThresholdRule | undefined;
    onProgress?: ((progress: GbdtProgress) => void) | undefined;
  },
): { training: GbdtResult; card: ModelCard } {
  const { train, test } = data;
  const training = trainGbdt(
    { featureNames: data.featureNames, features: train.features, labels: train.labels },
    { ...options.gbdt, ...(options.onProgress ? { onProgress: options.onProgress } : {}) },
  );
  const card = buildModelCard({
    source: options.source,
    trainedAt: options.trainedAt,
    training,
    trainingLabels: train.labels,
    test: { ...test, probabilities: predictProbabilities(training.model, test.features) },
    threshold: chooseThreshold(training, train.labels, options.threshold),
  });
  return { training, card };
}
