/**
 * The churn stage of an evaluation cycle: every active customer scored with
 * the model that was active when the stage was planned (a resumed cycle and
 * every engine score with that version). Without an active model, or with
 * ML_CHURN_PREDICTION_ENABLED=false, it has no shards: rules that need a
 * prediction see none. A model that does not load skips the stage (logged,
 * and health says why) instead of failing the cycle.
 */
import type { Config } from "../config.ts";
import type { Loadable } from "../db/mod.ts";
import { planBatches } from "../health/mod.ts";
import { activeModelVersion, type ChurnModel, type ChurnModels, predictBatch } from "../ml/mod.ts";
import type { CycleStageDefinition } from "./runner.ts";

/** The stage; `models` null: no churn prediction in this engine. */
export function churnStage(
  config: Pick<
    Config,
    "ML_CHURN_PREDICTION_ENABLED" | "ML_CONFIDENCE_THRESHOLD" | "ML_BATCH_SIZE"
  >,
  models: ChurnModels | null,
  batchSize: number,
): CycleStageDefinition {
  return {
    name: "churn",
    sharded: true,
    plan: async ({ db, asOf }) => {
      const active = await activeModelVersion(db);
      if (!config.ML_CHURN_PREDICTION_ENABLED || !active || !models) {
        return { params: { version: null }, shards: [] };
      }
      // The month's log partition exists before any shard writes into it.
      await db.query("select ensure_monthly_partition('churn_prediction_logs', $1::date)", [asOf]);
      return {
        params: { version: active },
        shards: await planBatches(db, asOf, batchSize),
      };
    },
    prepare: async (params, { asOf, cycleId, log }) => {
      const { version } = params as { version: string | null };
      let model: ChurnModel | null = null;
      if (version && models) {
        try {
          model = await models.version(version);
        } catch (error) {
          log.error("churn model did not load: customers are not scored this cycle", { error });
        }
      }
      return async (tx: Loadable, shard) => {
        if (!model) return { counts: { skipped: 1 } };
        const result = await predictBatch(tx, shard, {
          model,
          asOf,
          cycleId,
          confidenceThreshold: config.ML_CONFIDENCE_THRESHOLD,
          inferenceBatchSize: config.ML_BATCH_SIZE,
        });
        if (result.featureBins.length > 0) {
          await tx.query(
            `insert into churn_scoring_runs (cycle_id, model_version, scorer, rows, feature_bins,
               scored_at)
             values ($1, $2, $3, $4, $5, $6)`,
            [cycleId, model.version, model.scorer.kind, result.predicted, {
              bins: result.featureBins,
            }, asOf],
          );
        }
        return { counts: { predicted: result.predicted, changed: result.changed } };
      };
    },
    finish: ({ counts, shards }) =>
      Promise.resolve({
        predicted: counts.predicted ?? 0,
        changed: counts.changed ?? 0,
        skippedShards: counts.skipped ?? 0,
        shards,
      }),
  };
}
