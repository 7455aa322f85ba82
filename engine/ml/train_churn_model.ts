/**
 * Training a churn model for the engine and registering it: trained from the
 * database's snapshots, exported to ONNX with the engine's feature contract,
 * registered as a candidate (version: the next patch after the newest one,
 * unless given). `deno task ml:train` and the weekly retrain both use this.
 */
import type { ChangeContext } from "../access/mod.ts";
import type { Db } from "../db/mod.ts";
import { FEATURE_CONTRACT } from "./features.ts";
import { encodeOnnxModel } from "./onnx_export.ts";
import { type ModelSummary, registerModel } from "./registry.ts";
import {
  trainFromDatabase,
  type TrainFromDatabaseOptions,
  type TrainFromDatabaseResult,
} from "./train_database.ts";

/** A trained and registered model. */
export interface TrainedChurnModel extends TrainFromDatabaseResult {
  version: string;
  onnx: Uint8Array;
  registered: ModelSummary;
}

/** Trains on the database and registers the result as a candidate. */
export async function trainChurnModel(
  db: Db,
  options: Omit<TrainFromDatabaseOptions, "trainedAt"> & {
    version?: string | undefined;
    change: ChangeContext;
  },
): Promise<TrainedChurnModel> {
  const result = await trainFromDatabase(db, { ...options, trainedAt: options.change.now });
  const version = options.version ?? await nextModelVersion(db);
  const onnx = encodeOnnxModel(result.model, {
    version,
    metadata: { "cs.feature_contract": FEATURE_CONTRACT },
  });
  const test = result.card.metrics.test;
  const registered = await registerModel(db, {
    version,
    onnx,
    featureNames: result.model.featureNames,
    card: result.card as unknown as Record<string, unknown>,
    metrics: {
      rocAuc: test.rocAuc,
      prAuc: test.prAuc,
      accuracy: test.accuracy,
      majorityClassAccuracy: test.majorityClassAccuracy,
      brier: test.brier,
      testRows: test.rows,
    },
    source: "database",
    trainedAt: options.change.now,
  }, options.change);
  return { ...result, version, onnx, registered };
}

/** The next patch version after the newest registered semantic version (1.0.0 for the first). */
export async function nextModelVersion(db: Db): Promise<string> {
  const rows = await db.query<{ version: string }>("select version from churn_models");
  let [major, minor, patch] = [1, 0, -1];
  for (const { version } of rows) {
    const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
    if (!match) continue;
    const v = match.slice(1).map(Number) as [number, number, number];
    if (v[0] > major || v[0] === major && (v[1] > minor || v[1] === minor && v[2] > patch)) {
      [major, minor, patch] = v;
    }
  }
  return `${major}.${minor}.${patch + 1}`;
}
