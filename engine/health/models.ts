/** Versions of the health model in the database; exactly one is active. */
import type { Queryable } from "../db/mod.ts";
import { EngineError } from "../errors.ts";
import { parseOrThrow } from "../validation.ts";
import defaultModelJson from "./default_model.json" with { type: "json" };
import { type HealthModel, healthModelSchema } from "./model_schema.ts";

/** The model shipped with the engine (engine/health/default_model.json). */
export const defaultHealthModel: HealthModel = parseOrThrow(healthModelSchema, defaultModelJson, {
  what: "default health model",
});

/** Stores the default model and activates it when no model is active yet. */
export async function ensureDefaultHealthModel(db: Queryable): Promise<void> {
  await db.query(
    `insert into health_models (version, definition, active)
     select $1, $2::jsonb, not exists (select 1 from health_models where active)
     on conflict (version) do nothing`,
    [defaultHealthModel.version, defaultHealthModel],
  );
}

/** Stores `model` as a version and makes it the active one, atomically. */
export async function activateHealthModel(
  db: { transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> },
  model: HealthModel,
): Promise<void> {
  await db.transaction(async (tx) => {
    const existing = await tx.query<{ same: boolean }>(
      "select definition = $2::jsonb as same from health_models where version = $1",
      [model.version, model],
    );
    if (existing[0] && !existing[0].same) {
      throw new EngineError(
        "VALIDATION_FAILED",
        `Health model version ${model.version} already exists with another definition; give the change a new version`,
        { issues: [{ path: "version", message: "already used by a different model" }] },
      );
    }
    await tx.query("update health_models set active = false where active");
    await tx.query(
      `insert into health_models (version, definition, active) values ($1, $2::jsonb, true)
       on conflict (version) do update set active = true`,
      [model.version, model],
    );
  });
}

/** The active model (validated again, since the database can be edited by hand). */
export async function getActiveHealthModel(db: Queryable): Promise<HealthModel> {
  const rows = await db.query<{ definition: unknown }>(
    "select definition from health_models where active",
  );
  const row = rows[0];
  if (!row) {
    throw new EngineError(
      "INTERNAL",
      "No active health model: start the engine once (it installs the default) or activate one",
    );
  }
  return parseOrThrow(healthModelSchema, row.definition, { what: "active health model" });
}
