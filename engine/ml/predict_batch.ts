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
  // shard's query only made the processes fight over the same cores.
  await tx.query("set local max_parallel_workers_per_gather = 0");
  const features = await buildFeatures(tx, shard, asOf);
  const rows = features.customerIds.length;
  if (rows === 0) return { predicted: 0, updated: 0, changed: 0, logged: 0, featureBins: [] };
  const previous = await latestOf(tx, shard);
  const probabilities = await score(model, features.values, rows, options.inferenceBatchSize);
  const width = model.featureNames.length;
  const threshold = options.changeThreshold ?? 0.1;
  const index = new Map(model.featureNames.map((name, i) => [name, i]));
  const log: unknown[][] = [];
  const latest = new LatestRows();
  for (let r = 0; r < rows; r++) {
    const id = features.customerIds[r]!;
    const p = probabilities[r]!;
    const before = previous.get(id);
    const changed = !before || before.model_version !== model.version ||
      Math.abs(before.probability - p) > SAME_PROBABILITY;
    if (!changed && !options.logAll) continue;
    const row = features.values.subarray(r * width, (r + 1) * width);
    const confidence = Math.max(p, 1 - p);
    const confident = confidence >= options.confidenceThreshold;
    const top = explain(model.ensemble, row, TOP_CONTRIBUTIONS).contributions;
    log.push([
      id,
      model.version,
      p,
      confidence,
      confident,
      // Array literals: feature names are identifiers, values numbers or NULL.
      `{${top.map((c) => c.feature).join(",")}}`,
      `{${top.map((c) => valueOf(row[index.get(c.feature)!]!) ?? "NULL").join(",")}}`,
      `{${top.map((c) => Math.round(c.contribution * 1e6) / 1e6).join(",")}}`,
      options.cycleId,
      asOf,
    ]);
    if (!changed) continue;
    const moved = !before || Math.abs(p - before.probability) >= threshold;
    latest.add(id, p, confidence, confident, moved ? before?.probability : null);
  }
  await tx.copyRows("churn_prediction_logs", [
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
  ], log);
  const changed = await latest.write(tx, model.version, asOf);
  return {
    predicted: rows,
    updated: latest.size,
    changed,
    logged: log.length,
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

// A missing value is NaN in the model and null in the log.
function valueOf(x: number): number | null {
  return Number.isNaN(x) ? null : Math.round(x * 1e4) / 1e4;
}

/** The changed latest predictions of a batch, as columns for one statement. */
class LatestRows {
  readonly #ids: string[] = [];
  readonly #probabilities: number[] = [];
  readonly #confidences: number[] = [];
  // Text, not boolean: the PostgreSQL driver cannot send an array of booleans.
  readonly #confident: string[] = [];
  readonly #events: Array<
    { id: string; probability: number; previous: number | undefined; confident: boolean }
  > = [];

  get size(): number {
    return this.#ids.length;
  }

  /**
   * Adds a changed prediction; `eventPrevious` is the previous probability an
   * event reports (undefined for a first prediction), or null for no event.
   */
  add(
    id: string,
    probability: number,
    confidence: number,
    confident: boolean,
    eventPrevious: number | null | undefined,
  ): void {
    this.#ids.push(id);
    this.#probabilities.push(probability);
    this.#confidences.push(confidence);
    this.#confident.push(String(confident));
    if (eventPrevious !== null) {
      this.#events.push({ id, probability, previous: eventPrevious, confident });
    }
  }

  /** Upserts the rows and inserts their events in one statement; returns the events written. */
  async write(tx: Loadable, modelVersion: string, asOf: Date): Promise<number> {
    if (this.size === 0) return 0;
    // Scalar arrays, not an array of JSON documents: parsing those cost more than the inserts.
    const [written] = await tx.query<{ events: number }>(WRITE_LATEST, [
      this.#ids,
      this.#probabilities,
      this.#confidences,
      this.#confident,
      modelVersion,
      asOf,
      this.#events.map((e) => e.id),
      this.#events.map((e) => e.probability),
      this.#events.map((e) => e.previous ?? null),
      this.#events.map((e) => String(e.confident)),
    ]);
    return Number(written?.events ?? 0);
  }
}

const WRITE_LATEST = `
  with upserted as (
    insert into churn_predictions_latest (customer_id, model_version, probability, confidence,
      confident, predicted_at)
    select customer_id, $5, probability, confidence, confident::boolean, $6
    from unnest($1::text[], $2::float8[], $3::float8[], $4::text[])
      as t(customer_id, probability, confidence, confident)
    on conflict (customer_id) do update set model_version = excluded.model_version,
      probability = excluded.probability, confidence = excluded.confidence,
      confident = excluded.confident, predicted_at = excluded.predicted_at
    returning 1
  ), events as (
    insert into event_log (type, customer_id, payload, occurred_at)
    select 'churn.predicted', customer_id,
      jsonb_build_object('probability', round(probability::numeric, 4),
        'previousProbability', round(previous::numeric, 4), 'confident', confident::boolean,
        'modelVersion', $5::text),
      $6
    from unnest($7::text[], $8::float8[], $9::float8[], $10::text[])
      as e(customer_id, probability, previous, confident)
    returning 1
  )
  select (select count(*)::int from upserted) as updated,
    (select count(*)::int from events) as events`;
