/**
 * The weekly churn model retrain on ML_RETRAIN_SCHEDULE (Deno.cron, UTC).
 * With several engines on one database, the first to claim the tick's slot
 * in scheduled_job_runs trains; the others skip it. The run's outcome is
 * kept there.
 */
import { systemActor } from "../access/mod.ts";
import type { Clock } from "../clock.ts";
import type { Config } from "../config.ts";
import { type Db, errorMessage, runOncePerTick } from "../db/mod.ts";
import type { Logger } from "../log.ts";
import { type ChurnModels, retrainChurnModel, type RetrainOutcome } from "../ml/mod.ts";

/** Registers the retrain; false when off (ML_RETRAIN_SCHEDULE=off, prediction off, no Deno.cron). */
export function scheduleRetrain(
  deps: { db: Db; models: ChurnModels; config: Config; clock: Clock; log: Logger },
  signal: AbortSignal,
): boolean {
  const { config } = deps;
  if (
    config.ML_RETRAIN_SCHEDULE === "off" || !config.ML_CHURN_PREDICTION_ENABLED ||
    typeof Deno.cron !== "function"
  ) return false;
  Deno.cron("churn-model-retrain", config.ML_RETRAIN_SCHEDULE, { signal }, async () => {
    try {
      await runRetrain(deps, new Date());
    } catch (error) {
      deps.log.error("weekly churn model retrain failed; the active model stays", { error });
    }
  });
  return true;
}

/** One retrain for the tick `slot`, unless another engine claimed it (then null). */
export async function runRetrain(
  deps: { db: Db; models: ChurnModels; config: Config; clock: Clock; log: Logger },
  slot: Date = deps.clock.now(),
): Promise<RetrainOutcome | null> {
  const { db, config, clock, log } = deps;
  return await runOncePerTick(
    db,
    { job: "churn-model-retrain", slot, now: () => clock.now() },
    () =>
      retrainChurnModel(db, deps.models, {
        asOf: clock.now(),
        horizonDays: config.ML_HORIZON_DAYS,
        snapshots: 3,
        everyDays: 30,
        batchSize: config.SCORING_BATCH_SIZE,
        change: { actor: systemActor.id, now: clock.now() },
        log,
      }),
    (ended) => "result" in ended ? { ...ended.result } : { error: errorMessage(ended.error) },
  );
}
