/** The PostgreSQL backend, on postgres.js. */
import postgres from "postgres";
import { copyPayload } from "./copy_payload.ts";
import { copyIn } from "./postgres_copy.ts";
import { connectSocket, type SocketTarget } from "./postgres_socket.ts";
import { EngineError } from "../errors.ts";
import type { Db, Loadable, QueryOptions } from "./db.ts";

/** Options of openPostgres. */
export interface PostgresOptions {
  poolSize: number;
}

/**
 * int8 (counts, identities) and numeric (scores, MRR) come back as numbers on
 * both backends, so callers never see a backend-specific string.
 */
export const numberTypes = {
  int8: {
    to: 20,
    from: [20],
    serialize: (x: number) => String(x),
    parse: (x: string) => Number(x),
  },
  numeric: {
    to: 1700,
    from: [1700],
    serialize: (x: number) => String(x),
    parse: (x: string) => Number(x),
  },
};

const CONNECT_TIMEOUT_SECONDS = 10;

/** Connects to the PostgreSQL server at `url`; fails with DATABASE_UNAVAILABLE if it cannot. */
export async function openPostgres(url: string, options: PostgresOptions): Promise<Db> {
  const sql = postgres(url, {
    max: options.poolSize,
    onnotice: () => {},
    types: numberTypes,
    connect_timeout: CONNECT_TIMEOUT_SECONDS,
    // postgres.js documents `socket` (a function giving a connected socket) but its types omit it.
    ...{ socket: (target: SocketTarget) => connectSocket(target, CONNECT_TIMEOUT_SECONDS) },
    // UTC sessions, so date arithmetic is the same on every server and on PGlite.
    // No JIT: the planner overestimates the set-based batch statements by orders
    // of magnitude (joins of CTEs), and compiling each took ~2 s (bench/README.md).
    connection: { application_name: "customer-success-engine", TimeZone: "UTC", jit: "off" },
  });
  try {
    await sql.unsafe("select 1");
  } catch (error) {
    await sql.end({ timeout: 0 }).catch(() => {});
    throw new EngineError("DATABASE_UNAVAILABLE", describeConnectError(url, error), {
      cause: error,
    });
  }
  return {
    backend: "postgres",
    ...queryable(sql),
    transaction: <T>(fn: (tx: Loadable) => Promise<T>) =>
      sql.begin((tx) => fn(queryable(tx))) as Promise<T>,
    listen: async (channel, onNotify) => {
      const sub = await sql.listen(channel, onNotify);
      return () => sub.unlisten();
    },
    close: () => sql.end({ timeout: 5 }),
  };
}

function queryable(sql: postgres.Sql | postgres.TransactionSql): Loadable {
  return {
    copyRows: async (table, columns, rows) => {
      const payload = copyPayload(rows);
      if (payload) await copyIn(sql, table, columns, payload.data, payload.binary);
    },
    query: async <T>(text: string, params: readonly unknown[] = [], options: QueryOptions = {}) =>
      // postgres.js types parameters as its own JSON-ish union; ours are plain values.
      // A plain array, as PGlite returns: postgres.js's Result subclass has extra fields.
      Array.from(
        await sql.unsafe(text, params as postgres.ParameterOrJSON<never>[], {
          prepare: options.prepare ?? false,
        }),
      ) as T[],
    exec: async (text: string) => {
      await sql.unsafe(text);
    },
  };
}

function describeConnectError(url: string, error: unknown): string {
  const parsed = new URL(url);
  const where = `PostgreSQL at ${parsed.hostname}:${parsed.port || "5432"} (database ${
    parsed.pathname.slice(1) || "postgres"
  })`;
  const code = (error as { code?: string }).code;
  const reason = code === "ECONNREFUSED"
    ? "connection refused"
    : code === "3D000"
    ? "the database does not exist"
    : code === "28P01" || code === "28000"
    ? "authentication failed"
    : error instanceof Error
    ? error.message
    : String(error);
  return `Cannot connect to ${where}: ${reason}. Start PostgreSQL or fix DATABASE_URL ` +
    `(unset it to use the embedded database in DATA_DIR)`;
}
