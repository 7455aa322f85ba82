/**
 * Where the scoring statements spend their time: `EXPLAIN (ANALYZE,
 * BUFFERS)` of two statements the churn stage sends for one shard, exactly
 * as the engine sent them — the features query (captured from the engine's
 * `buildFeatures`, handed a Queryable that records instead of sending) and
 * the statement that writes the latest predictions and their events
 * (captured from the stage's first shard, explained again in a transaction
 * that is rolled back, with the shard's latest predictions removed first so
 * it does the same inserts the stage did).
 */
import type { Db, Queryable } from "../../engine/db/mod.ts";
import { buildFeatures } from "../../engine/ml/mod.ts";
import type { Statement } from "./scoring.ts";

/** The plan of one statement for one shard. */
export interface StatementPlan {
  customers: number;
  planningMs: number;
  executionMs: number;
  /** The plan as PostgreSQL prints it. */
  lines: string[];
}

/** Explains (and so runs, read-only) the features statement of `shard` at `asOf`. */
export async function explainFeatures(
  db: Db,
  shard: { after: string; last: string; size: number },
  asOf: Date,
): Promise<StatementPlan> {
  const sent: Statement[] = [];
  const recorder: Queryable = {
    query: <T>(sql: string, params: readonly unknown[] = []) => {
      sent.push({ sql, params });
      return Promise.resolve([] as T[]);
    },
    exec: () => Promise.resolve(),
  };
  await buildFeatures(recorder, shard, asOf);
  const [statement] = sent;
  if (!statement) throw new Error("buildFeatures sent no statement");
  return await explain(db, statement, shard.size);
}

class RollBack extends Error {}

/**
 * Explains the first shard's latest-predictions statement (`statement`,
 * customers after "" up to `last`) as the stage ran it: a first prediction
 * for each customer. Rolled back.
 */
export async function explainLatestWrite(
  db: Db,
  statement: Statement,
  shard: { last: string; size: number },
): Promise<StatementPlan> {
  let plan: StatementPlan | null = null;
  try {
    await db.transaction(async (tx) => {
      await tx.query(
        "delete from churn_predictions_latest where customer_id > '' and customer_id <= $1",
        [shard.last],
      );
      plan = await explain(tx, statement, shard.size);
      throw new RollBack();
    });
  } catch (error) {
    if (!(error instanceof RollBack)) throw error;
  }
  return plan!;
}

async function explain(
  db: Queryable,
  statement: Statement,
  customers: number,
): Promise<StatementPlan> {
  const rows = await db.query<{ "QUERY PLAN": string }>(
    `explain (analyze, buffers) ${statement.sql}`,
    statement.params,
  );
  const lines = rows.map((r) => r["QUERY PLAN"]);
  const ms = (label: string) =>
    Number(lines.find((l) => l.startsWith(label))?.match(/([\d.]+) ms/)?.[1] ?? NaN);
  return { customers, planningMs: ms("Planning Time"), executionMs: ms("Execution Time"), lines };
}
