/**
 * The churn stage of an evaluation cycle: every active customer scored with
 * the model that was active when the stage was planned (a resumed cycle and
 * every engine score with that version). Without an active model, or with
 * ML_CHURN_PREDICTION_ENABLED=false, it has no shards: rules that need a
 * prediction see none. A model that does not load skips the stage (logged,
 * and health says why) instead of failing the cycle.
 */
import type { Config } from "../config.ts";
import type { Loadable, Queryable } from "../db/mod.ts";
import { planBatches } from "../health/mod.ts";
import { refreshDailyUsage } from "../signals/mod.ts";
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
    plan: async ({ db, asOf, log, progress }) => {
      const active = await activeModelVersion(db);
      if (!config.ML_CHURN_PREDICTION_ENABLED || !active || !models) {
        return { params: { version: null }, shards: [] };
      }
      // The features read the daily usage counts: first add the events received since last time.
      const refreshed = await refreshDailyUsage(db, { onProgress: progress });
      if (refreshed.backfill) {
        log.info("daily usage counts built from every stored event", { events: refreshed.events });
      }
      // The month's log partition exists before any shard writes into it.
      await db.query("select ensure_monthly_partition('churn_prediction_logs', $1::date)", [asOf]);
      return {
        params: { version: active, logAll: !await loggedToday(db, active, asOf) },
        shards: await planBatches(db, asOf, batchSize),
      };
    },
    prepare: async (params, { asOf, cycleId, log }) => {
      const { version, logAll } = params as { version: string | null; logAll?: boolean };
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
          logAll: logAll ?? true,
        });
        // Also without bins (a model whose card has no training distribution):
        // the row says the version scored this day (loggedToday).
        await tx.query(
          `insert into churn_scoring_runs (cycle_id, model_version, scorer, rows, feature_bins,
             scored_at)
           values ($1, $2, $3, $4, $5, $6)`,
          [cycleId, model.version, model.scorer.kind, result.predicted, {
            bins: result.featureBins,
          }, asOf],
        );
        return {
          counts: {
            predicted: result.predicted,
            updated: result.updated,
            changed: result.changed,
            logged: result.logged,
          },
        };
      };
    },
    finish: ({ counts, shards }) =>
      Promise.resolve({
        predicted: counts.predicted ?? 0,
        updated: counts.updated ?? 0,
        changed: counts.changed ?? 0,
        logged: counts.logged ?? 0,
        skippedShards: counts.skipped ?? 0,
        shards,
      }),
  };
}

/**
 * Whether `version` already scored on the UTC day of `asOf`: the day's first
 * cycle logs every prediction, later ones only those that changed.
 */
async function loggedToday(db: Queryable, version: string, asOf: Date): Promise<boolean> {
  const [row] = await db.query<{ logged: boolean }>(
    `select exists (
       select 1 from churn_scoring_runs
       where model_version = $1 and scored_at >= $2::date and scored_at < $2::date + 1
     ) as logged`,
    [version, asOf.toISOString().slice(0, 10)],
  );
  return row?.logged ?? false;
}
