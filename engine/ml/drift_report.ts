/**
 * The drift report: the active model's training distribution (its card)
 * against the values of its latest scoring run (the bins every shard of the
 * run counted), as PSI per feature.
 */
import type { Queryable } from "../db/mod.ts";
import { type FeatureDrift, featureDrift, type FeatureReference } from "./drift.ts";

/** Drift of the active model's features. */
export interface DriftReport {
  modelVersion: string | null;
  /** The scoring run compared (its cycle), or null before the first. */
  cycleId: number | null;
  scoredAt: string | null;
  rows: number;
  features: FeatureDrift[];
  /** Why there is nothing to compare, when there is not. */
  note: string | null;
}

/** The report for the active model. */
export async function driftReport(db: Queryable): Promise<DriftReport> {
  const [model] = await db.query<{ version: string; reference: FeatureReference[] | null }>(
    `select version, card -> 'featureReference' as reference
     from churn_models where status = 'active'`,
  );
  const empty = { cycleId: null, scoredAt: null, rows: 0, features: [] };
  if (!model) return { modelVersion: null, ...empty, note: "No active churn model" };
  if (!Array.isArray(model.reference)) {
    return {
      modelVersion: model.version,
      ...empty,
      note: "The model card has no training distribution (featureReference): a model trained " +
        "by deno task ml:train from the database has one",
    };
  }
  const runs = await db.query<
    { cycle_id: number | null; rows: number; bins: number[][]; scored_at: Date }
  >(
    `select cycle_id, rows, feature_bins -> 'bins' as bins, scored_at from churn_scoring_runs
     where model_version = $1
       and scored_at = (select max(scored_at) from churn_scoring_runs where model_version = $1)`,
    [model.version],
  );
  if (runs.length === 0) {
    return { modelVersion: model.version, ...empty, note: "Not scored yet with this model" };
  }
  const total = model.reference.map((f) => new Array<number>(f.shares.length).fill(0));
  for (const run of runs) {
    run.bins.forEach((counts, f) => counts.forEach((c, b) => (total[f]![b]! += c)));
  }
  return {
    modelVersion: model.version,
    cycleId: runs[0]!.cycle_id === null ? null : Number(runs[0]!.cycle_id),
    scoredAt: new Date(runs[0]!.scored_at).toISOString(),
    rows: runs.reduce((sum, r) => sum + r.rows, 0),
    features: featureDrift(model.reference, total),
    note: null,
  };
}
