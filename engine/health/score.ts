/** Scoring every active customer with the active health model, batch by batch. */
import type { Queryable } from "../db/mod.ts";
import { compileHealthModel } from "./model_sql.ts";
import type { HealthModel } from "./model_schema.ts";
import { getActiveHealthModel } from "./models.ts";

/** Options of scoreAllCustomers. */
export interface ScoreOptions {
  /** Scores as of this time: windows end here, and the rows are stamped with it. */
  asOf: Date;
  batchSize: number;
  /** Minimum change in score or at-risk score that logs `health.changed`. */
  changeThreshold: number;
  cycleId?: number | null;
  /** The model to use; the active one by default. */
  model?: HealthModel;
  /** Called after each batch with customers scored so far and the total to score. */
  onProgress?: (scored: number, total: number) => void;
}

/** What a scoring run did. */
export interface ScoreResult {
  scored: number;
  changed: number;
  batches: number;
  modelVersion: string;
}

/** Scores all customers active at `asOf`; one statement (one round trip) per batch. */
export async function scoreAllCustomers(
  db: Queryable,
  options: ScoreOptions,
): Promise<ScoreResult> {
  const model = options.model ?? await getActiveHealthModel(db);
  const { sql, modelParams } = compileHealthModel(model);
  const [{ total }] = await db.query<{ total: number }>(
    `select count(*) as total from customers
     where signup_date <= $1::timestamptz and (churned_at is null or churned_at > $1::timestamptz)`,
    [options.asOf],
  ) as [{ total: number }];
  let cursor = "";
  const result: ScoreResult = { scored: 0, changed: 0, batches: 0, modelVersion: model.version };
  while (true) {
    const [row] = await db.query<{ scored: number; changed: number; last_id: string | null }>(sql, [
      cursor,
      options.batchSize,
      options.asOf,
      model.version,
      options.cycleId ?? null,
      options.changeThreshold,
      ...modelParams,
    ]);
    if (!row || row.last_id === null) break;
    cursor = row.last_id;
    result.scored += row.scored;
    result.changed += row.changed;
    result.batches++;
    options.onProgress?.(result.scored, total);
  }
  return result;
}
