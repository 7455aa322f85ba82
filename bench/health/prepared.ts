/**
 * A second, stronger baseline: the same naive loop on a postgres.js session
 * that uses server-side prepared statements, which the engine's Db does not
 * (its statements are planned on every call). Planning is most of a naive
 * read's cost, so this shows how much of the ratio comes from per-statement
 * planning rather than from the round trips themselves.
 */
import postgres from "postgres";
import { numberTypes, type Queryable } from "../../engine/db/mod.ts";
import type { NaiveSession } from "./passes.ts";

/** A session that can run the naive pass, and its closing. */
export interface PreparedSession extends NaiveSession {
  close(): Promise<void>;
}

/** Opens a one-connection session on `url` whose statements are prepared once and reused. */
export function openPreparedSession(url: string): PreparedSession {
  const sql = postgres(url, {
    max: 1,
    onnotice: () => {},
    types: numberTypes,
    connection: { application_name: "customer-success-bench", TimeZone: "UTC", jit: "off" },
  });
  return {
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) =>
      sql.begin((tx) => fn(preparedQueryable(tx))) as Promise<T>,
    close: () => sql.end({ timeout: 5 }),
  };
}

function preparedQueryable(sql: postgres.TransactionSql): Queryable {
  return {
    query: async <T>(text: string, params: readonly unknown[] = []) =>
      // postgres.js types parameters as its own JSON-ish union; ours are plain values.
      (await sql.unsafe(text, params as postgres.ParameterOrJSON<never>[], {
        prepare: true,
      })) as unknown as T[],
    exec: async (text: string) => {
      await sql.unsafe(text);
    },
  };
}
