/**
 * Forward-only, numbered plain-SQL migrations (`migrations/0001_init.sql`).
 *
 * Each migration runs in its own transaction with its tracking row inserted
 * first, under a transaction-scoped advisory lock, so two processes migrating
 * at once apply each migration exactly once. A database whose schema is newer
 * than this engine knows is refused.
 */
import { EngineError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { Db, Queryable } from "./db.ts";

/** One migration file. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

/** What migrate() did. */
export interface MigrationResult {
  applied: string[];
  version: number;
}

const MIGRATIONS_DIR = new URL("../../migrations/", import.meta.url);
const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Reads and checks the migration files of `dir` (the project's `migrations/` by default). */
export async function loadMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const migrations: Migration[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith(".sql")) continue;
    const match = FILE_NAME.exec(entry.name);
    if (!match) {
      throw new EngineError(
        "MIGRATION_FAILED",
        `Migration file name "${entry.name}" must look like 0001_name.sql (four digits, lower-case name)`,
      );
    }
    const sql = await Deno.readTextFile(new URL(entry.name, dir));
    migrations.push({
      version: Number(match[1]),
      name: entry.name,
      sql,
      checksum: await sha256(sql),
    });
  }
  migrations.sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new EngineError(
        "MIGRATION_FAILED",
        `Migrations must be numbered 0001, 0002, … without gaps; found ${m.name} where ${
          String(i + 1).padStart(4, "0")
        } was expected`,
      );
    }
  });
  return migrations;
}

/** Applies every pending migration; refuses a schema newer than `migrations` knows. */
export async function migrate(
  db: Db,
  options: { migrations?: Migration[]; log?: Logger } = {},
): Promise<MigrationResult> {
  const migrations = options.migrations ?? await loadMigrations();
  await db.transaction(async (tx) => {
    await lockMigrations(tx);
    await tx.exec(`create table if not exists schema_migrations (
      version integer primary key,
      name text not null,
      checksum text not null,
      applied_at timestamptz not null default now()
    )`);
  });
  await checkAppliedMigrations(db, migrations);
  const applied: string[] = [];
  for (const migration of migrations) {
    const ran = await db.transaction(async (tx) => {
      await lockMigrations(tx);
      const done = await tx.query("select 1 from schema_migrations where version = $1", [
        migration.version,
      ]);
      if (done.length > 0) return false; // Another process applied it meanwhile.
      await tx.query(
        "insert into schema_migrations (version, name, checksum) values ($1, $2, $3)",
        [migration.version, migration.name, migration.checksum],
      );
      try {
        await tx.exec(migration.sql);
      } catch (error) {
        throw new EngineError(
          "MIGRATION_FAILED",
          `Migration ${migration.name} failed and was rolled back (nothing of it is applied): ${
            error instanceof Error ? error.message : String(error)
          }`,
          { cause: error },
        );
      }
      return true;
    });
    if (ran) {
      applied.push(migration.name);
      options.log?.info("applied migration", { migration: migration.name });
    }
  }
  return { applied, version: migrations.at(-1)?.version ?? 0 };
}

/** The highest applied migration version, 0 for an empty database. */
export async function schemaVersion(db: Queryable): Promise<number> {
  const rows = await db.query<{ version: number | null }>(
    "select max(version) as version from schema_migrations",
  ).catch(() => [{ version: 0 }]);
  return rows[0]?.version ?? 0;
}

/** How a database's applied migrations compare with the files this engine has. */
export interface MigrationState {
  /** The highest applied version, 0 for an empty database. */
  version: number;
  /** Known files not applied yet (`deno task migrate` applies them). */
  pending: string[];
  /** Applied versions this engine has no file for: a newer engine migrated the database. */
  unknown: string[];
  /** Applied migrations whose file changed since. */
  changed: string[];
}

/** Compares what is applied with `migrations` without changing anything (for validation). */
export async function migrationState(
  db: Queryable,
  migrations?: Migration[],
): Promise<MigrationState> {
  const known = migrations ?? await loadMigrations();
  // A database never migrated has no table yet: everything is pending.
  const rows = await db.query<{ version: number; name: string; checksum: string }>(
    "select version, name, checksum from schema_migrations order by version",
  ).catch(() => []);
  const applied = new Map(rows.map((row) => [row.version, row]));
  const byVersion = new Map(known.map((m) => [m.version, m]));
  return {
    version: rows.at(-1)?.version ?? 0,
    pending: known.filter((m) => !applied.has(m.version)).map((m) => m.name),
    unknown: rows.filter((row) => !byVersion.has(row.version)).map((row) => row.name),
    changed: rows.filter((row) => {
      const file = byVersion.get(row.version);
      return file !== undefined && file.checksum !== row.checksum;
    }).map((row) => row.name),
  };
}

async function checkAppliedMigrations(db: Db, migrations: Migration[]): Promise<void> {
  const rows = await db.query<{ version: number; name: string; checksum: string }>(
    "select version, name, checksum from schema_migrations order by version",
  );
  const known = new Map(migrations.map((m) => [m.version, m]));
  const latestKnown = migrations.at(-1)?.version ?? 0;
  for (const row of rows) {
    const migration = known.get(row.version);
    if (!migration) {
      throw new EngineError(
        "SCHEMA_TOO_NEW",
        `The database schema is at migration ${row.name} but this engine only knows migrations up to ${
          String(latestKnown).padStart(4, "0")
        }: the database was migrated by a newer engine. Run the newer engine version, or point ` +
          `this one at another database`,
      );
    }
    if (migration.checksum !== row.checksum) {
      throw new EngineError(
        "MIGRATION_CHANGED",
        `Migration ${migration.name} was changed after it was applied to this database. ` +
          `Applied migrations are never edited: restore the file and add a new migration instead`,
      );
    }
  }
}

async function lockMigrations(tx: Queryable): Promise<void> {
  await tx.query("select pg_advisory_xact_lock(hashtext('customer-success-engine:migrations'))");
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
