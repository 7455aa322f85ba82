/**
 * The first churn model of a fresh demo database: trained and activated at
 * the first start, so a newcomer sees predictions and their reasons from the
 * first cycle, without stopping the engine to run `deno task ml:train`.
 */
import type { ChangeContext } from "../access/mod.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db/mod.ts";
import type { ChurnModels } from "./models.ts";
import { trainChurnModel, type TrainedChurnModel } from "./train_churn_model.ts";

/** Trains and activates the first model on the database's history. */
export async function trainFirstModel(
  db: Db,
  models: ChurnModels,
  config: Pick<Config, "ML_HORIZON_DAYS" | "SCORING_BATCH_SIZE">,
  change: ChangeContext,
): Promise<TrainedChurnModel> {
  const trained = await trainChurnModel(db, {
    asOf: change.now,
    horizonDays: config.ML_HORIZON_DAYS,
    snapshots: 3,
    everyDays: 30,
    batchSize: config.SCORING_BATCH_SIZE,
    change,
  });
  await models.activate(trained.version, { ...change, reason: "the first model, on demo data" });
  return trained;
}
