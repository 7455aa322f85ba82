/**
 * Scoring one batch of customers with the churn model: feature vectors
 * built in SQL, probabilities from the scorer (onnxruntime, or the
 * TypeScript evaluator), explained by their paths through the trees, then
 * written in bulk.
 *
 * What is written is what changed. A customer's latest prediction is
 * replaced only when the model or the probability changed (the features'
 * usage windows move once a day, so most hourly cycles change few), with a
 * `churn.predicted` event when it is a first prediction or moved by the
 * change threshold. The log (churn_prediction_logs, by COPY) gets every
 * changed prediction, and every prediction of the batch when `logAll` (the
 * day's first cycle), so each customer has at least one logged prediction per
 * day for monitoring to judge.
 */
import { BinaryCopyWriter, BinaryField, type Loadable } from "../db/mod.ts";
import { buildFeatures } from "./features.ts";
import { LatestPredictionWrites } from "./latest_predictions.ts";
import type { ChurnModel } from "./loaded_model.ts";
import { TopContributions } from "./top_contributions.ts";

/** How a batch is scored. */
export interface PredictOptions {
  model: ChurnModel;
  asOf: Date;
  cycleId: number | null;
  /** Least confidence (probability of the predicted outcome) rules may treat as sure. */
  confidenceThreshold: number;
  /** Rows per call into the scorer (ML_BATCH_SIZE). */
  inferenceBatchSize: number;
  /** Log every prediction, not only the changed ones (the day's first cycle). */
  logAll: boolean;
  /** A probability move of at least this much raises `churn.predicted` (first predictions always do). */
  changeThreshold?: number;
}

/** What a batch did. */
export interface PredictResult {
  /** Customers scored. */
  predicted: number;
  /** Latest predictions written: new, or changed model or probability. */
  updated: number;
  /** Of those, `churn.predicted` events: first predictions and moves of the change threshold. */
  changed: number;
  /** Rows logged. */
  logged: number;
  /** Per feature, how the values fell into the training bins (for drift); empty without bins. */
  featureBins: number[][];
}

const TOP_CONTRIBUTIONS = 5;
const LOG_COLUMNS = [
  "customer_id",
  "model_version",
  "probability",
  "confidence",
  "confident",
  "top_features",
  "top_values",
  "top_contributions",
  "cycle_id",
  "predicted_at",
] as const;
// Probabilities are float32 sums read back as float8: equal is equal, give or take rounding.
const SAME_PROBABILITY = 1e-12;

/** Scores the customers of `shard` active at `options.asOf`; in the caller's transaction. */
export async function predictBatch(
  tx: Loadable,
  shard: { after: string; last: string },
  options: PredictOptions,
): Promise<PredictResult> {
  const { model, asOf } = options;
  // The stage already runs a shard per core; parallel workers inside each
  // shard's query only made the processes fight over the same cores. The
  // shard's commit need not wait for its WAL to reach the disk: what it
  // writes is scored again if lost, and the record of the shard's end is in
  // the same transaction, so a crash loses both or neither; the cycle's own
  // end, committed as usual, waits for every shard's WAL before it.
  await tx.query(
    `select set_config('max_parallel_workers_per_gather', '0', true),
       set_config('synchronous_commit', 'off', true)`,
  );
  const features = await buildFeatures(tx, shard, asOf);
  const rows = features.customerIds.length;
  if (rows === 0) return { predicted: 0, updated: 0, changed: 0, logged: 0, featureBins: [] };
  const previous = await latestOf(tx, shard);
  const probabilities = await score(model, features.values, rows, options.inferenceBatchSize);
  const width = model.featureNames.length;
  const threshold = options.changeThreshold ?? 0.1;
  // Which rows are logged: the changed ones, or all of them on the day's first cycle.
  const loggedRows: number[] = [];
  const changedRows = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    const before = previous.get(features.customerIds[r]!);
    const changed = !before || before.model_version !== model.version ||
      Math.abs(before.probability - probabilities[r]!) > SAME_PROBABILITY;
    changedRows[r] = changed ? 1 : 0;
    if (changed || options.logAll) loggedRows.push(r);
  }
  // Each logged row's top contributions, explained four rows at a time.
  const tops = new TopContributions(model.ensemble, TOP_CONTRIBUTIONS)
    .explainRows(features.values, loggedRows);
  // Fields the same on every row, encoded once.
  const at = BinaryField.timestamp(asOf);
  const version = BinaryField.text(model.version);
  const names = model.featureNames.map((name) => BinaryField.text(name));
  // The log in binary COPY format: the numbers travel as they are, not as decimal text.
  const log = new BinaryCopyWriter();
  const topNames: BinaryField[] = [];
  const topValues = new Float64Array(TOP_CONTRIBUTIONS);
  const topContributions = new Float64Array(TOP_CONTRIBUTIONS);
  const latest = new LatestPredictionWrites(model.version, asOf);
  loggedRows.forEach((r, i) => {
    const id = features.customerIds[r]!;
    const p = probabilities[r]!;
    const confidence = Math.max(p, 1 - p);
    const confident = confidence >= options.confidenceThreshold;
    const count = tops.counts[i]!;
    topNames.length = 0;
    for (let k = 0; k < count; k++) {
      const f = tops.features[i * TOP_CONTRIBUTIONS + k]!;
      topNames.push(names[f]!);
      // A missing value (NaN) is a NULL in the log's array.
      topValues[k] = Math.round(features.values[r * width + f]! * 1e4) / 1e4;
      topContributions[k] = Math.round(tops.contributions[i * TOP_CONTRIBUTIONS + k]! * 1e6) / 1e6;
    }
    log.row(LOG_COLUMNS.length).text(id).field(version).float8(p).float8(confidence)
      .bool(confident).textArray(topNames).float8Array(topValues, count)
      .float8Array(topContributions, count).int8(options.cycleId).field(at);
    if (changedRows[r] === 0) return;
    const before = previous.get(id);
    const moved = !before || Math.abs(p - before.probability) >= threshold;
    latest.add(id, p, confidence, confident, moved ? before : null);
  });
  await tx.copyRows("churn_prediction_logs", LOG_COLUMNS, log.finish());
  const changed = await latest.write(tx);
  return {
    predicted: rows,
    updated: latest.size,
    changed,
    logged: loggedRows.length,
    featureBins: model.binFeatures(features.values, rows),
  };
}

async function latestOf(
  tx: Loadable,
  shard: { after: string; last: string },
): Promise<Map<string, { probability: number; model_version: string }>> {
  const rows = await tx.query<{ customer_id: string; probability: number; model_version: string }>(
    `select customer_id, probability, model_version from churn_predictions_latest
     where customer_id > $1 and customer_id <= $2`,
    [shard.after, shard.last],
  );
  return new Map(rows.map((r) => [r.customer_id, r]));
}

async function score(
  model: ChurnModel,
  values: Float32Array,
  rows: number,
  batchSize: number,
): Promise<Float64Array> {
  const width = model.featureNames.length;
  const probabilities = new Float64Array(rows);
  for (let start = 0; start < rows; start += batchSize) {
    const end = Math.min(rows, start + batchSize);
    const part = await model.scorer.score(values.subarray(start * width, end * width), end - start);
    probabilities.set(part, start);
  }
  return probabilities;
}
