/**
 * Scoring one batch of customers with the churn model: feature vectors
 * built in SQL, probabilities from the scorer (onnxruntime, or the
 * TypeScript evaluator), each explained by its path through the trees, then
 * written in bulk — the log by COPY, each customer's latest prediction and a
 * `churn.predicted` event (when the probability moved) in one statement.
 */
import type { Loadable } from "../db/mod.ts";
import { buildFeatures } from "./features.ts";
import type { ChurnModel } from "./loaded_model.ts";
import { explain } from "./trees.ts";

/** How a batch is scored. */
export interface PredictOptions {
  model: ChurnModel;
  asOf: Date;
  cycleId: number | null;
  /** Least confidence (probability of the predicted outcome) rules may treat as sure. */
  confidenceThreshold: number;
  /** Rows per call into the scorer (ML_BATCH_SIZE). */
  inferenceBatchSize: number;
  /** A probability move of at least this much logs `churn.predicted` (first predictions always do). */
  changeThreshold?: number;
}

/** What a batch did. */
export interface PredictResult {
  predicted: number;
  changed: number;
  /** Per feature, how the values fell into the training bins (for drift); empty without bins. */
  featureBins: number[][];
}

const TOP_CONTRIBUTIONS = 5;

/** Scores the customers of `shard` active at `options.asOf`; in the caller's transaction. */
export async function predictBatch(
  tx: Loadable,
  shard: { after: string; last: string },
  options: PredictOptions,
): Promise<PredictResult> {
  const { model, asOf } = options;
  // The stage already runs a shard per core; parallel workers inside each
  // shard's query only made the processes fight over the same cores.
  await tx.query("set local max_parallel_workers_per_gather = 0");
  const features = await buildFeatures(tx, shard, asOf);
  const rows = features.customerIds.length;
  if (rows === 0) return { predicted: 0, changed: 0, featureBins: [] };
  const width = model.featureNames.length;
  const probabilities = new Float64Array(rows);
  for (let start = 0; start < rows; start += options.inferenceBatchSize) {
    const end = Math.min(rows, start + options.inferenceBatchSize);
    const part = await model.scorer.score(
      features.values.subarray(start * width, end * width),
      end - start,
    );
    probabilities.set(part, start);
  }
  const index = new Map(model.featureNames.map((name, i) => [name, i]));
  const logRows: unknown[][] = [];
  for (let r = 0; r < rows; r++) {
    const row = features.values.subarray(r * width, (r + 1) * width);
    const p = probabilities[r]!;
    const confidence = Math.max(p, 1 - p);
    const { contributions } = explain(model.ensemble, row, TOP_CONTRIBUTIONS);
    logRows.push([
      features.customerIds[r],
      model.version,
      p,
      confidence,
      confidence >= options.confidenceThreshold,
      contributions.map((c) => ({
        feature: c.feature,
        value: valueOf(row[index.get(c.feature)!]!),
        contribution: Math.round(c.contribution * 1e6) / 1e6,
      })),
      options.cycleId,
      asOf,
    ]);
  }
  await tx.copyRows("churn_prediction_logs", [
    "customer_id",
    "model_version",
    "probability",
    "confidence",
    "confident",
    "contributions",
    "cycle_id",
    "predicted_at",
  ], logRows);
  const [written] = await tx.query<{ predicted: number; changed: number }>(LATEST, [
    options.cycleId,
    asOf,
    shard.after,
    shard.last,
    model.version,
    options.changeThreshold ?? 0.1,
  ]);
  return {
    predicted: Number(written!.predicted),
    changed: Number(written!.changed),
    featureBins: model.binFeatures(features.values, rows),
  };
}

// A missing value is NaN in the model and null in the log.
function valueOf(x: number): number | null {
  return Number.isNaN(x) ? null : Math.round(x * 1e4) / 1e4;
}

// The batch's log rows become the customers' latest predictions; a first
// prediction, or one that moved by $6 or more, is a `churn.predicted` event.
const LATEST = `
  with logged as (
    select customer_id, model_version, probability, confidence, confident, contributions,
      predicted_at
    from churn_prediction_logs
    where predicted_at = $2 and customer_id > $3 and customer_id <= $4
      and cycle_id is not distinct from $1::bigint and model_version = $5
  ), previous as (
    select p.customer_id, p.probability from churn_predictions_latest p
    where p.customer_id > $3 and p.customer_id <= $4
  ), upserted as (
    insert into churn_predictions_latest (customer_id, model_version, probability, confidence,
      confident, contributions, predicted_at)
    select customer_id, model_version, probability, confidence, confident, contributions,
      predicted_at
    from logged
    on conflict (customer_id) do update set model_version = excluded.model_version,
      probability = excluded.probability, confidence = excluded.confidence,
      confident = excluded.confident, contributions = excluded.contributions,
      predicted_at = excluded.predicted_at
    returning customer_id, probability, confident
  ), events as (
    insert into event_log (type, customer_id, payload, occurred_at)
    select 'churn.predicted', u.customer_id,
      jsonb_build_object('probability', round(u.probability::numeric, 4),
        'previousProbability', round(p.probability::numeric, 4), 'confident', u.confident,
        'modelVersion', $5::text),
      $2
    from upserted u left join previous p on p.customer_id = u.customer_id
    where p.probability is null or abs(u.probability - p.probability) >= $6
    returning 1
  )
  select (select count(*)::int from upserted) as predicted,
    (select count(*)::int from events) as changed`;
