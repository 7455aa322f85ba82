/**
 * Where the features query spends its time: `EXPLAIN (ANALYZE, BUFFERS)` of
 * the statement the churn stage sends for one shard, exactly as the engine
 * sends it (captured from the engine's `buildFeatures`, handed a Queryable
 * that records instead of sending). The stage's writes are COPY, which
 * PostgreSQL does not explain.
 */
import type { Db, Queryable } from "../../engine/db/mod.ts";
import { buildFeatures } from "../../engine/ml/mod.ts";

/** A statement as the engine sent it. */
interface Statement {
  sql: string;
  params: readonly unknown[];
}

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
