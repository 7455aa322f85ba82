/** A customer's latest churn prediction, with each reason described. */
import type { Queryable } from "../db/mod.ts";
import { EngineError } from "../errors.ts";
import { churnFeatures } from "./features.ts";

/** A prediction as the API shows it. */
export interface CustomerPrediction {
  customerId: string;
  modelVersion: string;
  probability: number;
  confidence: number;
  confident: boolean;
  predictedAt: string;
  contributions: Array<{
    feature: string;
    description: string;
    value: number | null;
    /** A category's name (`plan` 1 is "professional"); null for a number. */
    valueLabel: string | null;
    contribution: number;
  }>;
}

const byName = new Map(churnFeatures.map((f) => [f.name, f]));

/** The latest prediction of `customerId`; PREDICTION_NOT_FOUND before the first. */
export async function getCustomerPrediction(
  db: Queryable,
  customerId: string,
): Promise<CustomerPrediction> {
  const [row] = await db.query<{
    model_version: string;
    probability: number;
    confidence: number;
    confident: boolean;
    contributions: Array<{ feature: string; value: number | null; contribution: number }>;
    predicted_at: Date;
  }>(
    // The contributions are in the log row the prediction was written with.
    `select l.model_version, l.probability, l.confidence, l.confident, l.predicted_at,
       coalesce((select churn_contributions(g.top_features, g.top_values, g.top_contributions)
         from churn_prediction_logs g
         where g.customer_id = l.customer_id and g.predicted_at = l.predicted_at
           and g.model_version = l.model_version
         limit 1), '[]') as contributions
     from churn_predictions_latest l where l.customer_id = $1`,
    [customerId],
  );
  if (!row) {
    throw new EngineError(
      "PREDICTION_NOT_FOUND",
      `No churn prediction for customer "${customerId}" yet: customers are scored by the churn ` +
        "stage of each cycle once a model is active (GET /api/v1/models)",
    );
  }
  return {
    customerId,
    modelVersion: row.model_version,
    probability: Math.round(row.probability * 1e6) / 1e6,
    confidence: Math.round(row.confidence * 1e6) / 1e6,
    confident: row.confident,
    predictedAt: new Date(row.predicted_at).toISOString(),
    contributions: row.contributions.map((c) => {
      const feature = byName.get(c.feature);
      return {
        feature: c.feature,
        description: feature?.description ?? c.feature,
        value: c.value,
        valueLabel: c.value === null ? null : feature?.levels?.[c.value] ?? null,
        contribution: c.contribution,
      };
    }),
  };
}

/** The latest prediction of a customer, without its reasons (as a list shows it). */
export type PredictionSummary = Omit<CustomerPrediction, "customerId" | "contributions">;

/** The latest predictions of `customerIds`, by id; customers never scored are missing. */
export async function latestChurnPredictions(
  db: Queryable,
  customerIds: readonly string[],
): Promise<Map<string, PredictionSummary>> {
  const rows = await db.query<{
    customer_id: string;
    model_version: string;
    probability: number;
    confidence: number;
    confident: boolean;
    predicted_at: Date;
  }>(
    `select customer_id, model_version, probability, confidence, confident, predicted_at
     from churn_predictions_latest where customer_id = any($1::text[])`,
    [customerIds],
  );
  return new Map(rows.map((row) => [row.customer_id, {
    modelVersion: row.model_version,
    probability: Math.round(row.probability * 1e6) / 1e6,
    confidence: Math.round(row.confidence * 1e6) / 1e6,
    confident: row.confident,
    predictedAt: new Date(row.predicted_at).toISOString(),
  }]));
}
