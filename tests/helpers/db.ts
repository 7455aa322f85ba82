/**
 * Test databases on the backend the suite runs on: a fresh PostgreSQL
 * database per test when DATABASE_URL is set, a fresh PGlite folder otherwise.
 * Both start from a template migrated once per run, so tests are isolated and
 * quick.
 */
import { type Db, loadMigrations, migrate, openPglite, openPostgres } from "../../engine/db/mod.ts";
import { derivedKeys, installKeyring, Keyring } from "../../engine/privacy/mod.ts";

/** The backend this test run uses. */
export const backend: "postgres" | "pglite" = Deno.env.get("DATABASE_URL") ? "postgres" : "pglite";

const adminUrl = Deno.env.get("DATABASE_URL");
const TEST_DATA = new URL("../../.test-data/", import.meta.url).pathname;
let counter = 0;

/** A database made for one test. */
export interface TestDb {
  db: Db;
  /** Environment that points an engine process at this database. */
  env: Record<string, string>;
  /** Closes and removes the database. */
  drop(): Promise<void>;
}

/**
 * The encryption key of test databases: in each TestDb's env (so engine
 * processes share it) and installed in this process by createTestDb.
 */
export const TEST_ENCRYPTION_KEY =
  "7465737420706969206b6579203030303030303030303030303030303030300a";

let testKeyring: Promise<Keyring> | undefined;

/** Installs the keys of TEST_ENCRYPTION_KEY as this process's keyring (as an engine start does). */
export async function useTestKeyring(): Promise<Keyring> {
  const keyring =
    await (testKeyring ??= derivedKeys(TEST_ENCRYPTION_KEY, true).then(Keyring.create));
  installKeyring(keyring, { kind: "environment", path: null, created: false });
  return keyring;
}

/** Creates a fresh database, migrated unless `migrated: false`. */
export async function createTestDb(options: { migrated?: boolean } = {}): Promise<TestDb> {
  const migrated = options.migrated ?? true;
  await useTestKeyring();
  const test = backend === "postgres"
    ? await createPostgresDb(migrated)
    : await createPgliteDb(migrated);
  return { ...test, env: { ...test.env, PRIVACY_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY } };
}

/** A database for an engine process (not opened here, so that process can hold it). */
export interface TestDbEnv {
  env: Record<string, string>;
  drop(): Promise<void>;
}

/** Creates a fresh database for a subprocess, migrated unless `migrated: false`. */
export async function createTestDbEnv(options: { migrated?: boolean } = {}): Promise<TestDbEnv> {
  const test = await createTestDb(options);
  if (backend === "postgres") return { env: test.env, drop: test.drop };
  await test.db.close(); // Leave the folder to the subprocess: one process per PGlite folder.
  const dir = test.env.DATA_DIR!;
  return { env: test.env, drop: () => Deno.remove(dir, { recursive: true }).catch(() => {}) };
}

/** Opens the database `env` points at (no process may hold it), runs `fn`, closes it. */
export async function withDbAt<T>(
  env: Record<string, string>,
  fn: (db: Db) => Promise<T>,
): Promise<T> {
  const db = env.DATABASE_URL
    ? await openPostgres(env.DATABASE_URL, { poolSize: 1 })
    : await openPglite(env.DATA_DIR!);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** Runs `fn` with a fresh migrated database and drops it afterwards. */
export async function withTestDb(fn: (db: Db) => Promise<void>): Promise<void> {
  const test = await createTestDb();
  try {
    await fn(test.db);
  } finally {
    await test.drop();
  }
}

// ---- PostgreSQL: a database per test, cloned from a migrated template ----

let postgresTemplate: Promise<string> | undefined;

/** Runs `sql` on the server's admin connection, opened and closed around it. */
async function onServer(sql: string): Promise<void> {
  const server = await openPostgres(adminUrl!, { poolSize: 1 });
  try {
    await server.exec(sql);
  } finally {
    await server.close();
  }
}

function databaseUrl(name: string): string {
  const url = new URL(adminUrl!);
  url.pathname = `/${name}`;
  return url.toString();
}

async function createPostgresDb(migrated: boolean): Promise<TestDb> {
  const name = `cs_test_${Deno.pid}_${++counter}`;
  const template = migrated ? await (postgresTemplate ??= makePostgresTemplate()) : "template0";
  await onServer(`drop database if exists ${name} with (force)`);
  await onServer(`create database ${name} template ${template}`);
  const url = databaseUrl(name);
  const db = await openPostgres(url, { poolSize: 4 });
  return {
    db,
    env: { DATABASE_URL: url },
    drop: async () => {
      await db.close();
      await onServer(`drop database if exists ${name} with (force)`);
    },
  };
}

async function makePostgresTemplate(): Promise<string> {
  const name = `cs_template_${Deno.pid}`;
  await onServer(`drop database if exists ${name} with (force)`);
  await onServer(`create database ${name}`);
  const db = await openPostgres(databaseUrl(name), { poolSize: 1 });
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
  globalThis.addEventListener("unload", () => {
    // Best effort: the next run drops leftovers of its own pid only, so clean up now.
    new Deno.Command("psql", {
      args: [adminUrl!, "-qc", `drop database if exists ${name} with (force)`],
      stdout: "null",
      stderr: "null",
    }).outputSync();
  });
  return name;
}

// ---- PGlite: a folder per test, copied from a migrated template folder ----

const pgliteTemplates: Partial<Record<"empty" | "migrated", Promise<string>>> = {};

async function createPgliteDb(migrated: boolean): Promise<TestDb> {
  const kind = migrated ? "migrated" : "empty";
  const template = await (pgliteTemplates[kind] ??= makePgliteTemplate(migrated));
  const dir = `${TEST_DATA}run-${Deno.pid}/db-${++counter}`;
  await copyDir(template, dir);
  const db = await openPglite(dir);
  return {
    db,
    env: { DATA_DIR: dir },
    drop: async () => {
      await db.close();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** Template folders are kept between runs, keyed by the migrations they hold. */
async function makePgliteTemplate(migrated: boolean): Promise<string> {
  const migrations = await loadMigrations();
  const key = migrated ? (await hashOf(migrations.map((m) => m.checksum).join())).slice(0, 16) : "";
  const dir = `${TEST_DATA}template-${migrated ? key : "empty"}`;
  try {
    await Deno.stat(`${dir}/.ready`);
    return dir;
  } catch {
    // Not built yet (or a build was interrupted): build it below.
  }
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  const db = await openPglite(dir);
  try {
    if (migrated) await migrate(db, { migrations });
  } finally {
    await db.close();
  }
  await Deno.writeTextFile(`${dir}/.ready`, new Date().toISOString());
  return dir;
}

async function copyDir(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.name === "engine.lock" || entry.name === ".ready") continue;
    const source = `${from}/${entry.name}`;
    const target = `${to}/${entry.name}`;
    if (entry.isDirectory) await copyDir(source, target);
    else await Deno.copyFile(source, target);
  }
}

async function hashOf(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(`${TEST_DATA}run-${Deno.pid}`, { recursive: true });
  } catch {
    // Nothing was created.
  }
});
