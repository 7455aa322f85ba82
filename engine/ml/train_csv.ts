/**
 * Training from a CSV file, start to finish: read and split the file, fit
 * the encoding on the training rows, train (early stopping on a validation
 * part carved from the training rows), score the untouched test rows and
 * write up the model card. `deno task ml:train --csv` calls this.
 */
import { type Clock, systemClock } from "../clock.ts";
import { type CsvDataset, type CsvDatasetOptions, loadCsvDataset } from "./csv_dataset.ts";
import type { DatasetEncoding } from "./csv_encoding.ts";
import type { GbdtOptionsInput, GbdtProgress, GbdtResult } from "./gbdt/mod.ts";
import type { ModelCard, ThresholdRule } from "./model_card.ts";
import { trainAndEvaluate } from "./train_and_evaluate.ts";
import type { TreeEnsemble } from "./trees.ts";

/** What to train on and how. */
export interface TrainFromCsvOptions extends CsvDatasetOptions {
  /** Hyperparameters; defaults as in gbdt/options.ts. */
  gbdt?: GbdtOptionsInput | undefined;
  /** The decision threshold the card reports at; default fixed at 0.5. */
  threshold?: ThresholdRule | undefined;
  /** Called after every tree. */
  onProgress?: ((progress: GbdtProgress) => void) | undefined;
  /** Dates the card; the system clock by default. */
  clock?: Clock | undefined;
}

/** A trained model with its card and the encoding its inputs need. */
export interface TrainFromCsvResult {
  model: TreeEnsemble;
  card: ModelCard;
  /** Apply to rows scored later (csv_encoding.ts `encodeTable`). */
  encoding: DatasetEncoding;
  /** The training run's details (curves, scores, row positions). */
  training: GbdtResult;
  /** The data as read, split and encoded. */
  data: CsvDataset;
}

/** Trains a churn model on a CSV file and evaluates it on the held-out rows. */
export async function trainFromCsv(options: TrainFromCsvOptions): Promise<TrainFromCsvResult> {
  const data = await loadCsvDataset(options);
  const { training, card } = trainAndEvaluate({
    featureNames: data.train.featureNames,
    train: data.train,
    test: data.test,
  }, {
    source: {
      kind: "csv",
      file: options.file,
      labelColumn: options.label,
      split: data.split,
      categorical: options.categorical ?? "one-hot",
      ignoredColumns: data.encoding.ignored,
    },
    trainedAt: (options.clock ?? systemClock).now(),
    gbdt: options.gbdt,
    threshold: options.threshold,
    onProgress: options.onProgress,
  });
  return { model: training.model, card, encoding: data.encoding, training, data };
}
