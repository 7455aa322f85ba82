/** Scoring every active customer with the active health model, batch by batch. */
import type { Config } from "../config.ts";
import type { Queryable } from "../db/mod.ts";
import { DEFAULT_BOOST_MAX_POINTS } from "./boosts.ts";
import { compileHealthModel } from "./model_sql.ts";
import type { HealthModel } from "./model_schema.ts";
import { getActiveHealthModel } from "./models.ts";

/** Options of scoreAllCustomers. */
export interface ScoreOptions {
  /** Scores as of this time: windows end here, and the rows are stamped with it. */
  asOf: Date;
  batchSize: number;
  /**
   * Batches in flight at once (default 1). Batches are independent, so on a
   * pool of connections two keep both cores of a small server busy; on one
   * connection (PGlite, a transaction) they simply queue.
   */
  concurrency?: number;
  /** Minimum change in score or at-risk score that logs `health.changed`. */
  changeThreshold: number;
  /** The most points a customer's health boosts add together (DEFAULT_BOOST_MAX_POINTS when not given). */
  boostMaxPoints?: number;
  cycleId?: number | null;
  /** The model to use; the active one by default. */
  model?: HealthModel;
  /** Called after each batch with customers scored so far and the total to score. */
  onProgress?: (scored: number, total: number) => void;
}

/** The part of ScoreOptions that comes from the configuration. */
export type ScoringSettings =
  & Required<Pick<ScoreOptions, "batchSize" | "concurrency" | "changeThreshold">>
  & Pick<ScoreOptions, "boostMaxPoints">;

/** The scoring settings of `config`, for every caller that scores everyone. */
export function scoringSettings(
  config: Pick<
    Config,
    | "SCORING_BATCH_SIZE"
    | "SCORING_CONCURRENCY"
    | "HEALTH_CHANGE_THRESHOLD"
    | "HEALTH_BOOST_MAX_POINTS"
  >,
): ScoringSettings {
  return {
    batchSize: config.SCORING_BATCH_SIZE,
    concurrency: config.SCORING_CONCURRENCY,
    changeThreshold: config.HEALTH_CHANGE_THRESHOLD,
    boostMaxPoints: config.HEALTH_BOOST_MAX_POINTS,
  };
}

/** What a scoring run did. */
export interface ScoreResult {
  scored: number;
  changed: number;
  batches: number;
  modelVersion: string;
}

const ACTIVE_AT_1 = `signup_date <= $1::timestamptz
  and (churned_at is null or churned_at > $1::timestamptz)`;

/** Scores all customers active at `asOf`; one statement (one round trip) per batch. */
export async function scoreAllCustomers(
  db: Queryable,
  options: ScoreOptions,
): Promise<ScoreResult> {
  const model = options.model ?? await getActiveHealthModel(db);
  const scoreBatch = batchScorer(model, options);
  const batches = await planBatches(db, options.asOf, options.batchSize);
  const total = batches.reduce((sum, b) => sum + b.size, 0);
  const result: ScoreResult = { scored: 0, changed: 0, batches: 0, modelVersion: model.version };
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const { scored, changed } = await scoreBatch(db, batches[next++]!);
      result.scored += scored;
      result.changed += changed;
      result.batches++;
      options.onProgress?.(result.scored, total);
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? 1, batches.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return result;
}

/**
 * Scoring one batch with `model` (compiled once here): the statement that
 * scores the batch's customers and writes their rows, on `db` (a
 * transaction, for a cycle's shard).
 */
export function batchScorer(
  model: HealthModel,
  options: Pick<
    ScoreOptions,
    "asOf" | "batchSize" | "cycleId" | "changeThreshold" | "boostMaxPoints"
  >,
): (db: Queryable, batch: BatchBounds) => Promise<{ scored: number; changed: number }> {
  const { sql, modelParams } = compileHealthModel(model);
  return async (db, { after, last }) => {
    const [row] = await db.query<{ scored: number; changed: number }>(sql, [
      after,
      options.batchSize,
      options.asOf,
      model.version,
      options.cycleId ?? null,
      options.changeThreshold,
      last,
      options.boostMaxPoints ?? DEFAULT_BOOST_MAX_POINTS,
      ...modelParams,
    ]);
    return { scored: row?.scored ?? 0, changed: row?.changed ?? 0 };
  };
}

/** The customers after `after` up to and including `last`. */
export interface BatchBounds {
  after: string;
  last: string;
}

/** One batch: its bounds and how many active customers it holds. */
export interface PlannedBatch extends BatchBounds {
  size: number;
}

/**
 * Cuts the active customers into batches up front (one query), so batches can
 * run concurrently; each is bounded above by its last id, so a customer
 * created meanwhile shifts nothing and no one is skipped or scored twice.
 */
export async function planBatches(
  db: Queryable,
  asOf: Date,
  batchSize: number,
): Promise<PlannedBatch[]> {
  const rows = await db.query<{ id: string; n: number }>(
    `select id, n from (
       select id, row_number() over (order by id) as n, count(*) over () as total
       from customers where ${ACTIVE_AT_1}
     ) active
     where n % $2 = 0 or n = total
     order by id`,
    [asOf, batchSize],
  );
  let after = "";
  let before = 0;
  return rows.map(({ id, n }) => {
    const batch = { after, last: id, size: n - before };
    after = id;
    before = n;
    return batch;
  });
}
