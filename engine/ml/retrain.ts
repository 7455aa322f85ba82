/**
 * The weekly retrain (seed: "ML Model Retraining: Weekly"): trains a
 * candidate on the latest data and activates it only if it beats the active
 * model on the same held-out customers (ROC AUC), else marks it rejected.
 * Either way the comparison is kept on the candidate's card and the decision
 * is logged; an activation is an audit entry with the figures as its reason.
 */
import type { ChangeContext } from "../access/mod.ts";
import type { Db } from "../db/mod.ts";
import type { Logger } from "../log.ts";
import { rocAuc } from "./metrics.ts";
import type { ChurnModels } from "./models.ts";
import { decodeOnnxModel } from "./onnx_import.ts";
import { getActiveModel, rejectModel } from "./registry.ts";
import { trainChurnModel } from "./train_churn_model.ts";
import type { TrainFromDatabaseOptions } from "./train_database.ts";
import { predictProbabilities } from "./trees.ts";

/** What a retrain decided. */
export interface RetrainOutcome {
  candidate: string;
  active: string | null;
  candidateAuc: number;
  activeAuc: number | null;
  activated: boolean;
}

/** Trains a candidate and activates it if it is better. */
export async function retrainChurnModel(
  db: Db,
  models: ChurnModels,
  options: Omit<TrainFromDatabaseOptions, "trainedAt"> & { change: ChangeContext; log: Logger },
): Promise<RetrainOutcome> {
  const active = await getActiveModel(db);
  const trained = await trainChurnModel(db, options);
  const candidateAuc = rocAuc(
    predictProbabilities(trained.model, trained.test.features),
    trained.test.labels,
  );
  let activeAuc: number | null = null;
  if (active) {
    // The active model's own trees, scored on the candidate's held-out customers.
    const { model } = decodeOnnxModel(active.onnx);
    activeAuc = rocAuc(predictProbabilities(model, trained.test.features), trained.test.labels);
  }
  const better = activeAuc === null || candidateAuc > activeAuc;
  const figures = `ROC AUC ${candidateAuc.toFixed(4)} against ` +
    (activeAuc === null ? "no active model" : `${activeAuc.toFixed(4)} (${active!.version})`) +
    ` on ${trained.test.labels.length} held-out customer snapshots`;
  if (better) {
    await models.activate(trained.version, {
      ...options.change,
      reason: `weekly retrain: ${figures}`,
    });
    options.log.info("retrained churn model activated", { version: trained.version, figures });
  } else {
    await rejectModel(db, trained.version);
    options.log.info("retrained churn model kept as rejected: not better", {
      version: trained.version,
      figures,
    });
  }
  return {
    candidate: trained.version,
    active: active?.version ?? null,
    candidateAuc,
    activeAuc,
    activated: better,
  };
}
