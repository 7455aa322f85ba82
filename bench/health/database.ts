/**
 * The benchmark's own PostgreSQL database: created on the server when missing,
 * migrated like any engine database, and never the one the engine uses, so a
 * benchmark cannot touch real data.
 */
import { type Db, openPostgres, pgErrorCode } from "../../engine/db/mod.ts";
import { EngineError } from "../../engine/errors.ts";

const DUPLICATE_DATABASE = "42P04";

/** Opens database `name` on the server of `serverUrl`, creating it first if needed. */
export async function openBenchDatabase(
  serverUrl: string,
  options: { name: string; poolSize: number },
): Promise<Db> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(options.name)) {
    throw new EngineError(
      "VALIDATION_FAILED",
      `--database "${options.name}" is not a plain database name; use lower-case letters, digits and _`,
    );
  }
  await createDatabaseIfMissing(serverUrl, options.name);
  return await openPostgres(withDatabase(serverUrl, options.name), { poolSize: options.poolSize });
}

/** Where the benchmark database lives, for the report (no credentials). */
export function describeServer(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  return `${url.hostname}:${url.port || "5432"}/${name}`;
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
