/**
 * `POST /api/v1/ml/verify`: the model card keeps a fixed check set (feature
 * rows and the probabilities the trainer's own evaluator gave them); the
 * loaded scorer scores the same rows here. Equal to 1e-6 means the file, the
 * runtime and the feature contract all agree with what was trained.
 */
import type { Queryable } from "../db/mod.ts";
import { EngineError } from "../errors.ts";
import type { ChurnModels } from "./models.ts";
import { activeModelVersion, getModelFile } from "./registry.ts";

/** What verification found. */
export interface ModelVerification {
  version: string;
  scorer: "onnxruntime" | "typescript";
  rows: number;
  maxDifference: number;
  passed: boolean;
  /** The card's held-out metrics, for comparison. */
  metrics: Record<string, unknown>;
}

/** Largest allowed difference between the scorer and the trainer. */
export const VERIFY_TOLERANCE = 1e-6;

/** The card's check set. */
export interface CheckSet {
  rows: Array<Array<number | null>>;
  probabilities: number[];
}

/** Verifies `version` (default: the active model). */
export async function verifyModel(
  db: Queryable,
  models: ChurnModels,
  version?: string,
): Promise<ModelVerification> {
  const target = version ?? await activeModelVersion(db);
  if (!target) {
    throw new EngineError(
      "NO_ACTIVE_MODEL",
      "No churn model is active: train one (deno task ml:train) or activate a registered one",
    );
  }
  const { card } = await getModelFile(db, target);
  const check = card.checkSet as CheckSet | undefined;
  if (!check || !Array.isArray(check.rows) || check.rows.length === 0) {
    throw new EngineError(
      "MODEL_CARD_INCOMPLETE",
      `Model ${target}'s card has no check set to verify against: models trained by ` +
        "deno task ml:train carry one",
    );
  }
  const model = await models.version(target);
  const width = model.featureNames.length;
  const values = new Float32Array(check.rows.length * width);
  check.rows.forEach((row, r) => row.forEach((x, f) => (values[r * width + f] = x ?? NaN)));
  const scored = await model.scorer.score(values, check.rows.length);
  let maxDifference = 0;
  scored.forEach((p, i) => {
    maxDifference = Math.max(maxDifference, Math.abs(p - check.probabilities[i]!));
  });
  return {
    version: target,
    scorer: model.scorer.kind,
    rows: check.rows.length,
    maxDifference,
    passed: maxDifference <= VERIFY_TOLERANCE,
    metrics: (card.metrics as Record<string, unknown> | undefined) ?? {},
  };
}
