/**
 * The scoring benchmark's baseline: churn scoring done one customer at a
 * time, as a straightforward implementation would — the engine's features
 * query for one customer (`buildFeatures({ ids: [id] })`), a one-row call
 * into the same scorer, the same path attribution, and one statement that
 * writes the same three rows the stage writes (the log row, the latest
 * prediction, the `churn.predicted` event) — in one transaction that is
 * rolled back. One transaction spares the baseline a commit per customer: it
 * flatters the baseline, so the ratio errs low.
 */
import type { Db } from "../../engine/db/mod.ts";
import { buildFeatures, type ChurnModel, explain } from "../../engine/ml/mod.ts";

/** A customer's prediction, as both paths store it. */
export interface StoredPrediction {
  probability: number;
  contributions: Array<{ feature: string; value: number | null; contribution: number }>;
}

/** What the naive pass did, and its predictions by customer id. */
export interface NaiveScoring {
  customers: number;
  seconds: number;
  perSecond: number;
  predictions: Map<string, StoredPrediction>;
}

const ONE_PREDICTION = `
  with previous as (
    select probability from churn_predictions_latest where customer_id = $1
  ), logged as (
    insert into churn_prediction_logs (customer_id, model_version, probability, confidence,
      confident, top_features, top_values, top_contributions, cycle_id, predicted_at)
    select $1, $2, $3, $4, $5, array_agg(c ->> 'feature' order by i),
      array_agg((c ->> 'value')::float8 order by i),
      array_agg((c ->> 'contribution')::float8 order by i), null, $7
    from jsonb_array_elements($6::jsonb) with ordinality as t(c, i)
  ), upserted as (
    insert into churn_predictions_latest (customer_id, model_version, probability, confidence,
      confident, predicted_at)
    values ($1, $2, $3, $4, $5, $7)
    on conflict (customer_id) do update set model_version = excluded.model_version,
      probability = excluded.probability, confidence = excluded.confidence,
      confident = excluded.confident, predicted_at = excluded.predicted_at
    returning probability, confident
  )
  insert into event_log (type, customer_id, payload, occurred_at)
  select 'churn.predicted', $1,
    jsonb_build_object('probability', round(u.probability::numeric, 4),
      'previousProbability', round(p.probability::numeric, 4), 'confident', u.confident,
      'modelVersion', $2::text),
    $7
  from upserted u left join previous p on true
  where p.probability is null or abs(u.probability - p.probability) >= $8`;

class RollBack extends Error {}

/** Scores `customerIds` one by one at `asOf` with `model`; nothing stays written. */
export async function measureNaiveScoring(
  db: Db,
  customerIds: readonly string[],
  options: {
    model: ChurnModel;
    asOf: Date;
    confidenceThreshold: number;
    onProgress: (done: number) => void;
  },
): Promise<NaiveScoring> {
  const { model, asOf } = options;
  const index = new Map(model.featureNames.map((name, i) => [name, i]));
  const predictions = new Map<string, StoredPrediction>();
  let seconds = 0;
  try {
    await db.transaction(async (tx) => {
      await tx.query("select ensure_monthly_partition('churn_prediction_logs', $1::date)", [asOf]);
      const started = performance.now();
      for (const id of customerIds) {
        const features = await buildFeatures(tx, { ids: [id] }, asOf);
        if (features.customerIds.length === 1) {
          const row = features.values;
          const [probability] = await model.scorer.score(row, 1);
          const p = probability!;
          const confidence = Math.max(p, 1 - p);
          const contributions = explain(model.ensemble, row, 5).contributions.map((c) => ({
            feature: c.feature,
            value: valueOf(row[index.get(c.feature)!]!),
            contribution: Math.round(c.contribution * 1e6) / 1e6,
          }));
          await tx.query(ONE_PREDICTION, [
            id,
            model.version,
            p,
            confidence,
            confidence >= options.confidenceThreshold,
            contributions,
            asOf,
            0.1,
          ]);
          predictions.set(id, { probability: p, contributions });
        }
        options.onProgress(predictions.size);
      }
      seconds = (performance.now() - started) / 1000;
      throw new RollBack();
    });
  } catch (error) {
    if (!(error instanceof RollBack)) throw error;
  }
  return {
    customers: predictions.size,
    seconds,
    perSecond: predictions.size / seconds,
    predictions,
  };
}

/** How the stage's stored predictions of the sample compare with the naive ones. */
export interface PredictionCheck {
  compared: number;
  maxDifference: number;
  /** Customers missing on one side, or whose probability or contributions differ. */
  disagreements: Array<{ customerId: string; what: string }>;
}

/** Probabilities may differ by float32 rounding of a one-row vs a batched run. */
export const PREDICTION_TOLERANCE = 1e-6;

/** Compares `stored` (the stage's rows, by customer) with the naive predictions. */
export function comparePredictions(
  naive: ReadonlyMap<string, StoredPrediction>,
  stored: ReadonlyMap<string, StoredPrediction>,
  sampled: readonly string[],
): PredictionCheck {
  const check: PredictionCheck = { compared: 0, maxDifference: 0, disagreements: [] };
  for (const id of sampled) {
    const a = naive.get(id), b = stored.get(id);
    check.compared++;
    if (!a || !b) {
      check.disagreements.push({ customerId: id, what: a ? "no stage row" : "no naive row" });
      continue;
    }
    const difference = Math.abs(a.probability - b.probability);
    check.maxDifference = Math.max(check.maxDifference, difference);
    if (!(difference <= PREDICTION_TOLERANCE)) {
      check.disagreements.push({
        customerId: id,
        what: `probability ${a.probability} vs ${b.probability}`,
      });
    } else if (contributionsText(a) !== contributionsText(b)) {
      check.disagreements.push({ customerId: id, what: "contributions differ" });
    }
  }
  return check;
}

/** The stage's log rows of `customerIds` in cycle `cycleId`. */
export async function storedPredictions(
  db: Db,
  cycleId: number,
  customerIds: readonly string[],
): Promise<Map<string, StoredPrediction>> {
  const rows = await db.query<StoredPrediction & { customer_id: string }>(
    `select customer_id, probability,
       churn_contributions(top_features, top_values, top_contributions) as contributions
     from churn_prediction_logs
     where cycle_id = $1 and customer_id = any($2::text[])`,
    [cycleId, customerIds],
  );
  return new Map(
    rows.map((
      r,
    ) => [r.customer_id, { probability: r.probability, contributions: r.contributions }]),
  );
}

// jsonb reorders an object's keys: compare the values.
function contributionsText(p: StoredPrediction): string {
  return JSON.stringify(p.contributions.map((c) => [c.feature, c.value, c.contribution]));
}

// As the stage stores it: a missing value is null, others rounded to 4 decimals.
function valueOf(x: number): number | null {
  return Number.isNaN(x) ? null : Math.round(x * 1e4) / 1e4;
}
