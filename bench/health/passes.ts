/**
 * The measured passes: the engine's set-based scoring of every active
 * customer, the naive per-customer scoring of a sample, and the check that
 * both computed the same scores (without it the ratio would mean nothing).
 */
import type { Db, Queryable } from "../../engine/db/mod.ts";
import { type HealthModel, scoreAllCustomers } from "../../engine/health/mod.ts";
import { type NaiveScore, naiveScorer } from "./naive.ts";

/** What one set-based pass did and how long it took. */
export interface SetBasedPass {
  batchSize: number;
  /** Batches in flight at once. */
  concurrency: number;
  scored: number;
  changed: number;
  batches: number;
  seconds: number;
  perSecond: number;
}

/** Scores every active customer with scoreAllCustomers, committing per batch as a cycle does. */
export async function measureSetBased(
  db: Db,
  options: {
    asOf: Date;
    batchSize: number;
    concurrency: number;
    changeThreshold: number;
    onProgress: (done: number, total: number) => void;
  },
): Promise<SetBasedPass> {
  const started = performance.now();
  const result = await scoreAllCustomers(db, options);
  const seconds = (performance.now() - started) / 1000;
  return {
    batchSize: options.batchSize,
    concurrency: options.concurrency,
    scored: result.scored,
    changed: result.changed,
    batches: result.batches,
    seconds,
    perSecond: result.scored / seconds,
  };
}

/** What the naive pass did, and the scores it computed by customer id. */
export interface NaivePass {
  customers: number;
  seconds: number;
  perSecond: number;
  scores: Map<string, NaiveScore>;
}

/** Where the naive pass runs: the engine's Db, or a session of prepared statements. */
export interface NaiveSession {
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
}

/** Thrown to roll the naive pass back once it is measured. */
class RollBack extends Error {}

/**
 * Scores `customerIds` one by one in a transaction that is rolled back, so
 * the naive rows never mix with the set-based ones. One transaction instead
 * of a commit per customer spares the baseline a WAL flush per customer: it
 * flatters the baseline, so the ratio errs low.
 */
export async function measureNaive(
  session: NaiveSession,
  customerIds: readonly string[],
  options: {
    model: HealthModel;
    asOf: Date;
    changeThreshold: number;
    onProgress: (done: number) => void;
  },
): Promise<NaivePass> {
  const scorer = naiveScorer(options.model, options);
  const scores = new Map<string, NaiveScore>();
  let seconds = 0;
  try {
    await session.transaction(async (tx) => {
      const started = performance.now();
      for (const id of customerIds) {
        scores.set(id, await scorer.scoreCustomer(tx, id));
        options.onProgress(scores.size);
      }
      seconds = (performance.now() - started) / 1000;
      throw new RollBack();
    });
  } catch (error) {
    if (!(error instanceof RollBack)) throw error;
  }
  return { customers: scores.size, seconds, perSecond: scores.size / seconds, scores };
}

/** `size` customer ids spread evenly over the customers active at `asOf`. */
export async function sampleCustomers(
  db: Queryable,
  asOf: Date,
  size: number,
): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `select id from customers
     where signup_date <= $1::timestamptz and (churned_at is null or churned_at > $1::timestamptz)
     order by id`,
    [asOf],
  );
  const step = Math.max(1, rows.length / size);
  const ids: string[] = [];
  for (let i = 0; i < rows.length && ids.length < size; i++) {
    const row = rows[Math.floor(i * step)];
    if (row) ids.push(row.id);
  }
  return ids;
}

/** How the set-based scores of the naive sample compare with the naive ones. */
export interface ScoreCheck {
  compared: number;
  /** Values further apart than the tolerance, and set-based rows that are missing. */
  disagreements: Array<{ customerId: string; field: string; naive: number; setBased: number }>;
  maxDifference: number;
}

/** Scores are rounded to 2 decimals on both paths; they may differ in the last digit. */
export const SCORE_TOLERANCE = 0.01;

/** Compares the set-based rows at `asOf` with the naive scores of the same customers. */
export async function compareScores(
  db: Queryable,
  naive: ReadonlyMap<string, NaiveScore>,
  asOf: Date,
): Promise<ScoreCheck> {
  const rows = await db.query<{
    customer_id: string;
    score: number;
    at_risk_score: number;
    components: Record<string, { score: number }>;
  }>(
    `select customer_id, score, at_risk_score, components from customer_health
     where scored_at = $1 and customer_id = any($2::text[])`,
    [asOf, [...naive.keys()]],
  );
  const setBased = new Map(rows.map((r) => [r.customer_id, r]));
  const check: ScoreCheck = { compared: 0, disagreements: [], maxDifference: 0 };
  for (const [customerId, expected] of naive) {
    const row = setBased.get(customerId);
    check.compared++;
    if (!row) {
      check.disagreements.push({ customerId, field: "row", naive: 1, setBased: 0 });
      continue;
    }
    const pairs: Array<[string, number, number]> = [
      ["score", expected.score, row.score],
      ["atRiskScore", expected.atRiskScore, row.at_risk_score],
      ...Object.entries(expected.components).map(([key, score]): [string, number, number] => [
        `components.${key}`,
        score,
        row.components[key]?.score ?? Number.NaN,
      ]),
    ];
    for (const [field, a, b] of pairs) {
      const difference = Math.abs(a - b);
      if (Number.isFinite(difference)) {
        check.maxDifference = Math.max(check.maxDifference, difference);
      }
      // 1e-9 absorbs binary rounding of two values that differ by exactly 0.01.
      if (!(difference <= SCORE_TOLERANCE + 1e-9)) {
        check.disagreements.push({ customerId, field, naive: a, setBased: b });
      }
    }
  }
  return check;
}
