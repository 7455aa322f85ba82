/**
 * How each model version did once the outcomes were known: its predictions
 * whose horizon has passed, against whether the customer churned within it.
 * One prediction per customer and version counts (the first in the window),
 * so a customer scored hourly does not count 24 times a day. ROC AUC comes
 * from ranks (ties averaged), accuracy at 0.5, the Brier score and a
 * calibration table — all in SQL, over however many predictions there are.
 * A version whose accuracy falls below the threshold raises `ml.degraded`.
 */
import type { Db, Queryable } from "../db/mod.ts";

/** Realized performance of one version. */
export interface ModelPerformance {
  modelVersion: string;
  computedAt: string;
  horizonDays: number;
  predictions: number;
  churned: number;
  rocAuc: number | null;
  accuracy: number | null;
  brier: number | null;
  calibration: Array<{ bin: number; count: number; meanPredicted: number; observedRate: number }>;
}

/** Predictions made in the 30 days before the horizon's start are judged. */
const WINDOW_DAYS = 30;

/** A stored row (the query's rows lack computed_at and horizon_days). */
interface PerformanceRow {
  model_version: string;
  computed_at: Date;
  horizon_days: number;
  predictions: number;
  churned: number;
  roc_auc: number | null;
  accuracy: number | null;
  brier: number | null;
  calibration: ModelPerformance["calibration"];
}

const PERFORMANCE_SQL = `
  with judged as (
    select distinct on (l.model_version, l.customer_id) l.model_version, l.customer_id,
      l.probability, l.predicted_at
    from churn_prediction_logs l
    where l.predicted_at > $1::timestamptz - ($2 + ${WINDOW_DAYS}) * interval '1 day'
      and l.predicted_at <= $1::timestamptz - $2 * interval '1 day'
    order by l.model_version, l.customer_id, l.predicted_at
  ), labelled as (
    select j.model_version, j.probability,
      (c.churned_at is not null and c.churned_at > j.predicted_at
        and c.churned_at <= j.predicted_at + $2 * interval '1 day')::int as y
    from judged j join customers c on c.id = j.customer_id
  ), ranked as (
    select *, rank() over w + (count(*) over (partition by model_version, probability) - 1) / 2.0
      as avg_rank
    from labelled window w as (partition by model_version order by probability)
  ), bins as (
    select model_version, least(floor(probability * 10), 9)::int as bin, count(*)::int as n,
      avg(probability) as mean_p, avg(y) as rate
    from labelled group by model_version, 2
  )
  select r.model_version, count(*)::int as predictions, sum(r.y)::int as churned,
    case when sum(r.y) > 0 and sum(1 - r.y) > 0 then
      (sum(r.avg_rank) filter (where r.y = 1) - sum(r.y) * (sum(r.y) + 1) / 2.0)
        / (sum(r.y) * sum(1 - r.y)) end::float8 as roc_auc,
    avg(((r.probability >= 0.5)::int = r.y)::int)::float8 as accuracy,
    avg((r.probability - r.y) ^ 2)::float8 as brier,
    (select coalesce(jsonb_agg(jsonb_build_object('bin', b.bin, 'count', b.n,
       'meanPredicted', round(b.mean_p::numeric, 4), 'observedRate', round(b.rate::numeric, 4))
       order by b.bin), '[]')
     from bins b where b.model_version = r.model_version) as calibration
  from ranked r group by r.model_version`;

/**
 * Computes and stores the performance of every version with judged
 * predictions as of `asOf`; appends `ml.degraded` for a version whose
 * accuracy is below `alertThreshold` when it was not already. Returns them.
 */
export async function computeModelPerformance(
  db: Db,
  options: { asOf: Date; horizonDays: number; alertThreshold: number },
): Promise<ModelPerformance[]> {
  return await db.transaction(async (tx) => {
    const rows = await tx.query<Omit<PerformanceRow, "computed_at" | "horizon_days">>(
      PERFORMANCE_SQL,
      [options.asOf, options.horizonDays],
    );
    const results: ModelPerformance[] = [];
    for (const row of rows) {
      const [previous] = await tx.query<{ accuracy: number | null }>(
        `select accuracy from churn_model_performance where model_version = $1
         order by computed_at desc limit 1`,
        [row.model_version],
      );
      await tx.query(
        `insert into churn_model_performance (model_version, computed_at, horizon_days,
           predictions, churned, roc_auc, accuracy, brier, calibration)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          row.model_version,
          options.asOf,
          options.horizonDays,
          row.predictions,
          row.churned,
          row.roc_auc,
          row.accuracy,
          row.brier,
          row.calibration,
        ],
      );
      const below = (accuracy: number | null | undefined) =>
        accuracy !== null && accuracy !== undefined && accuracy < options.alertThreshold;
      if (below(row.accuracy) && !below(previous?.accuracy)) {
        await tx.query(
          `insert into event_log (type, customer_id, payload, occurred_at)
           values ('ml.degraded', null, $1, $2)`,
          [{
            modelVersion: row.model_version,
            accuracy: row.accuracy,
            rocAuc: row.roc_auc,
            threshold: options.alertThreshold,
            predictions: row.predictions,
          }, options.asOf],
        );
      }
      results.push(
        toPerformance({ ...row, computed_at: options.asOf, horizon_days: options.horizonDays }),
      );
    }
    return results;
  });
}

/** The latest computed performance of each version. */
export async function latestModelPerformance(db: Queryable): Promise<ModelPerformance[]> {
  const rows = await db.query<PerformanceRow>(
    `select distinct on (model_version) model_version, computed_at, horizon_days, predictions,
       churned, roc_auc, accuracy, brier, calibration
     from churn_model_performance order by model_version, computed_at desc`,
  );
  return rows.map(toPerformance);
}

function toPerformance(row: PerformanceRow): ModelPerformance {
  return {
    modelVersion: row.model_version,
    computedAt: new Date(row.computed_at).toISOString(),
    horizonDays: row.horizon_days,
    predictions: row.predictions,
    churned: row.churned,
    rocAuc: row.roc_auc,
    accuracy: row.accuracy,
    brier: row.brier,
    calibration: row.calibration,
  };
}
