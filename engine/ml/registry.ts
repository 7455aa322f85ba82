/**
 * The model registry: churn model versions in the database (the ONNX bytes,
 * their hash, card, metrics, status), one of them active. Registering,
 * activating and rolling back are audit entries. The engine loads the active
 * model's bytes from here, so every engine on the database scores alike.
 */
import type { ChangeContext } from "../access/mod.ts";
import { appendAudit } from "../audit/mod.ts";
import type { Db, Queryable } from "../db/mod.ts";
import { EngineError } from "../errors.ts";

/** A registered model, without its bytes. */
export interface ModelSummary {
  version: string;
  status: "candidate" | "active" | "retired" | "rejected";
  fileSha256: string;
  featureNames: string[];
  metrics: Record<string, unknown>;
  source: string;
  trainedAt: string;
  registeredAt: string;
  activatedAt: string | null;
}

/** A model to register. */
export interface NewModel {
  version: string;
  onnx: Uint8Array;
  featureNames: readonly string[];
  card: Record<string, unknown>;
  metrics: Record<string, unknown>;
  /** Where it came from: `database`, `csv:<file>`, `file:<path>`. */
  source: string;
  trainedAt: Date;
}

interface ModelRow {
  version: string;
  status: ModelSummary["status"];
  file_sha256: string;
  feature_names: string[];
  metrics: Record<string, unknown>;
  source: string;
  trained_at: Date;
  registered_at: Date;
  activated_at: Date | null;
}

const SUMMARY = `select version, status, file_sha256, feature_names, metrics, source, trained_at,
  registered_at, activated_at from churn_models`;

function toSummary(row: ModelRow): ModelSummary {
  return {
    version: row.version,
    status: row.status,
    fileSha256: row.file_sha256,
    featureNames: row.feature_names,
    metrics: row.metrics,
    source: row.source,
    trainedAt: new Date(row.trained_at).toISOString(),
    registeredAt: new Date(row.registered_at).toISOString(),
    activatedAt: row.activated_at ? new Date(row.activated_at).toISOString() : null,
  };
}

/** SHA-256 of the file, hex. */
export async function fileSha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Registers a model as a candidate (MODEL_EXISTS if the version is taken
 * by another file; the same file again is a no-op). Returns it.
 */
export async function registerModel(
  db: Db,
  model: NewModel,
  change: ChangeContext,
): Promise<ModelSummary> {
  const sha = await fileSha256(model.onnx);
  return await db.transaction(async (tx) => {
    const [existing] = await tx.query<ModelRow>(`${SUMMARY} where version = $1 for update`, [
      model.version,
    ]);
    if (existing) {
      if (existing.file_sha256 === sha) return toSummary(existing);
      throw new EngineError(
        "MODEL_EXISTS",
        `Model version ${model.version} is registered with another file: train with a new ` +
          "version (--version)",
      );
    }
    const [row] = await tx.query<ModelRow>(
      `insert into churn_models (version, status, file_sha256, onnx, feature_names, card, metrics,
         source, trained_at, registered_at)
       values ($1, 'candidate', $2, $3, $4, $5, $6, $7, $8, $9)
       returning version, status, file_sha256, feature_names, metrics, source, trained_at,
         registered_at, activated_at`,
      [
        model.version,
        sha,
        model.onnx,
        [...model.featureNames],
        model.card,
        model.metrics,
        model.source,
        model.trainedAt,
        change.now,
      ],
    );
    const summary = toSummary(row!);
    await appendAudit(tx, {
      at: change.now,
      actor: change.actor,
      action: "model.registered",
      subjectType: "model",
      subjectId: model.version,
      after: { version: model.version, fileSha256: sha, source: model.source },
      requestId: change.requestId ?? null,
    });
    return summary;
  });
}

/** Every registered model, newest first. */
export async function listModels(db: Queryable): Promise<ModelSummary[]> {
  const rows = await db.query<ModelRow>(`${SUMMARY} order by registered_at desc, version desc`);
  return rows.map(toSummary);
}

/** One model with its card, or MODEL_NOT_FOUND. */
export async function getModel(
  db: Queryable,
  version: string,
): Promise<ModelSummary & { card: Record<string, unknown> }> {
  const [row] = await db.query<ModelRow & { card: Record<string, unknown> }>(
    `select version, status, file_sha256, feature_names, metrics, source, trained_at,
       registered_at, activated_at, card
     from churn_models where version = $1`,
    [version],
  );
  if (!row) throw notFound(version);
  return { ...toSummary(row), card: row.card };
}

/** The version of the active model, or null when none is. */
export async function activeModelVersion(db: Queryable): Promise<string | null> {
  const [row] = await db.query<{ version: string }>(
    "select version from churn_models where status = 'active'",
  );
  return row?.version ?? null;
}

/** The active model with its bytes and card, or null when none is. */
export async function getActiveModel(
  db: Queryable,
): Promise<(ModelSummary & { onnx: Uint8Array; card: Record<string, unknown> }) | null> {
  const [row] = await db.query<ModelRow & { onnx: Uint8Array; card: Record<string, unknown> }>(
    `select version, status, file_sha256, feature_names, metrics, source, trained_at,
       registered_at, activated_at, onnx, card
     from churn_models where status = 'active'`,
  );
  return row ? { ...toSummary(row), onnx: new Uint8Array(row.onnx), card: row.card } : null;
}

/** A model's bytes and card. */
export async function getModelFile(
  db: Queryable,
  version: string,
): Promise<{ onnx: Uint8Array; card: Record<string, unknown> }> {
  const [row] = await db.query<{ onnx: Uint8Array; card: Record<string, unknown> }>(
    "select onnx, card from churn_models where version = $1",
    [version],
  );
  if (!row) throw notFound(version);
  return { onnx: new Uint8Array(row.onnx), card: row.card };
}

/**
 * Makes `version` the active model (the one before is retired); an audit
 * entry (`model.activated`, or `change.action`) with the reason. Callers
 * load the file first (engine/ml/models.ts), so a model that cannot score
 * never becomes active.
 */
export async function activateModel(
  db: Db,
  version: string,
  change: ChangeContext & { reason?: string | null; action?: string },
): Promise<ModelSummary> {
  return await db.transaction(async (tx) => {
    const [target] = await tx.query<ModelRow>(`${SUMMARY} where version = $1 for update`, [
      version,
    ]);
    if (!target) throw notFound(version);
    const [previous] = await tx.query<{ version: string }>(
      "select version from churn_models where status = 'active' for update",
    );
    if (previous?.version === version) return toSummary(target);
    if (previous) {
      await tx.query("update churn_models set status = 'retired' where version = $1", [
        previous.version,
      ]);
    }
    const [row] = await tx.query<ModelRow>(
      `update churn_models set status = 'active', activated_at = $2 where version = $1
       returning version, status, file_sha256, feature_names, metrics, source, trained_at,
         registered_at, activated_at`,
      [version, change.now],
    );
    await appendAudit(tx, {
      at: change.now,
      actor: change.actor,
      action: change.action ?? "model.activated",
      subjectType: "model",
      subjectId: version,
      reason: change.reason ?? null,
      before: { activeVersion: previous?.version ?? null },
      after: { activeVersion: version },
      requestId: change.requestId ?? null,
    });
    return toSummary(row!);
  });
}

/** The model that was active before the current one; NO_PREVIOUS_MODEL when there is none. */
export async function previousModelVersion(db: Queryable): Promise<string> {
  const [row] = await db.query<{ version: string }>(
    `select version from churn_models where status = 'retired'
     order by activated_at desc nulls last limit 1`,
  );
  if (!row) {
    throw new EngineError(
      "NO_PREVIOUS_MODEL",
      "No model was active before this one: activate a version with " +
        "POST /api/v1/models/{version}/activate",
    );
  }
  return row.version;
}

/** Marks a retrain candidate that lost against the active model. */
export async function rejectModel(db: Queryable, version: string): Promise<void> {
  await db.query(
    "update churn_models set status = 'rejected' where version = $1 and status = 'candidate'",
    [version],
  );
}

function notFound(version: string): EngineError {
  return new EngineError(
    "MODEL_NOT_FOUND",
    `No model version "${version}": GET /api/v1/models lists the registered ones`,
  );
}
