/**
 * The benchmark's own PostgreSQL database: created on the server when missing,
 * migrated like any engine database, and never the one the engine uses, so a
 * benchmark cannot touch real data.
 */
import { type Db, openPostgres, pgErrorCode } from "../../engine/db/mod.ts";
import { EngineError } from "../../engine/errors.ts";

const DUPLICATE_DATABASE = "42P04";
const LOCAL_SERVER = "postgres://postgres@127.0.0.1:5432/postgres";

/**
 * The PostgreSQL server the benchmarks use: BENCH_DATABASE_URL, else the
 * engine's DATABASE_URL, else the local server.
 */
export function benchServerUrl(config: { DATABASE_URL?: string | undefined }): string {
  return Deno.env.get("BENCH_DATABASE_URL") ?? config.DATABASE_URL ?? LOCAL_SERVER;
}

/** The benchmark database, held by this run alone. */
export interface BenchDatabase {
  db: Db;
  /** Its connection URL, for sessions the benchmark opens besides `db`. */
  url: string;
  /** Releases the run's lock and closes the connections. */
  close(): Promise<void>;
}

/**
 * Opens database `name` on the server of `serverUrl`, creating it first if
 * needed, and takes the benchmark's lock on it: two runs on one database
 * would reseed under each other and time each other's work.
 */
export async function openBenchDatabase(
  serverUrl: string,
  options: { name: string; poolSize: number },
): Promise<BenchDatabase> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(options.name)) {
    throw new EngineError(
      "VALIDATION_FAILED",
      `--database "${options.name}" is not a plain database name; use lower-case letters, digits and _`,
    );
  }
  await createDatabaseIfMissing(serverUrl, options.name);
  const url = withDatabase(serverUrl, options.name);
  const release = await lockDatabase(url, options.name);
  try {
    const db = await openPostgres(url, { poolSize: options.poolSize });
    return {
      db,
      url,
      close: async () => {
        await db.close();
        await release();
      },
    };
  } catch (error) {
    await release();
    throw error;
  }
}

/** Where the benchmark database lives and any session settings in the URL, without credentials. */
export function describeServer(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  return `${url.hostname}:${url.port || "5432"}/${name}${url.search}`;
}

/** Holds a session advisory lock on its own connection; resolves to its release. */
async function lockDatabase(url: string, name: string): Promise<() => Promise<void>> {
  const holder = await openPostgres(url, { poolSize: 1 });
  const [row] = await holder.query<{ locked: boolean }>(
    "select pg_try_advisory_lock(hashtext('bench:health_scoring')) as locked",
  );
  if (!row?.locked) {
    await holder.close();
    throw new EngineError(
      "DATABASE_UNAVAILABLE",
      `Another benchmark run is using database ${name}; wait for it to finish or pass --database`,
    );
  }
  // Closing the connection ends the session, which releases the lock.
  return () => holder.close();
}

async function createDatabaseIfMissing(serverUrl: string, name: string): Promise<void> {
  // The admin connection goes to the database the URL names, unless that is
  // the one to create (it cannot exist yet): then to the default database.
  const adminUrl = databaseOf(serverUrl) === name ? withDatabase(serverUrl, "postgres") : serverUrl;
  const admin = await openPostgres(adminUrl, { poolSize: 1 });
  try {
    const found = await admin.query("select 1 from pg_database where datname = $1", [name]);
    if (found.length > 0) return;
    // The name is checked above; CREATE DATABASE takes no parameters.
    await admin.exec(`create database ${name}`).catch((error) => {
      // Another run created it in the meantime: that is what we wanted.
      if (pgErrorCode(error) !== DUPLICATE_DATABASE) throw error;
    });
  } finally {
    await admin.close();
  }
}

function databaseOf(serverUrl: string): string {
  return decodeURIComponent(new URL(serverUrl).pathname.slice(1)) || "postgres";
}

function withDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
