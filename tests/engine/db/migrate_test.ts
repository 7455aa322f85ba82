import { assertEquals, assertRejects } from "../../helpers/assert.ts";
import {
  type Db,
  loadMigrations,
  migrate,
  type Migration,
  openPostgres,
} from "../../../engine/db/mod.ts";
import { EngineError } from "../../../engine/errors.ts";
import { backend, createTestDb } from "../../helpers/db.ts";

async function appliedVersions(db: Db): Promise<number[]> {
  const rows = await db.query<{ version: number }>(
    "select version from schema_migrations order by version",
  );
  return rows.map((r) => r.version);
}

function fakeMigration(version: number, sql: string): Migration {
  return { version, name: `${String(version).padStart(4, "0")}_test.sql`, sql, checksum: sql };
}

Deno.test("migrate() applies every migration once to an empty database", async () => {
  const test = await createTestDb({ migrated: false });
  try {
    const known = await loadMigrations();
    const first = await migrate(test.db);
    assertEquals(first.applied, known.map((m) => m.name));
    assertEquals(await appliedVersions(test.db), known.map((m) => m.version));
    const tables = await test.db.query<{ name: string }>(
      `select table_name as name from information_schema.tables
       where table_schema = current_schema() and table_name = any($1::text[]) order by 1`,
      [["customers", "usage_events", "success_milestones", "customer_health", "event_log"]],
    );
    assertEquals(tables.map((t) => t.name), [
      "customer_health",
      "customers",
      "event_log",
      "success_milestones",
      "usage_events",
    ]);
    const second = await migrate(test.db);
    assertEquals(second.applied, []);
  } finally {
    await test.drop();
  }
});

Deno.test("migrate() is safe when two processes migrate at once", async () => {
  const test = await createTestDb({ migrated: false });
  // PGlite serves one process per folder, so there the two runners share it.
  const other = backend === "postgres"
    ? await openPostgres(test.env.DATABASE_URL!, { poolSize: 2 })
    : test.db;
  try {
    const [a, b] = await Promise.all([migrate(test.db), migrate(other)]);
    const known = await loadMigrations();
    assertEquals([...a.applied, ...b.applied].sort(), known.map((m) => m.name));
    assertEquals(await appliedVersions(test.db), known.map((m) => m.version));
  } finally {
    if (other !== test.db) await other.close();
    await test.drop();
  }
});

Deno.test("migrate() refuses a database migrated by a newer engine", async () => {
  const test = await createTestDb();
  try {
    await test.db.query(
      "insert into schema_migrations (version, name, checksum) values (9999, '9999_future.sql', 'x')",
    );
    const error = await assertRejects(() => migrate(test.db), EngineError);
    assertEquals(error.code, "SCHEMA_TOO_NEW");
    assertEquals(error.message.includes("9999_future.sql"), true);
    assertEquals(error.message.includes("newer engine"), true);
  } finally {
    await test.drop();
  }
});

Deno.test("migrate() refuses an applied migration whose file was edited", async () => {
  const test = await createTestDb();
  try {
    const [first, ...rest] = await loadMigrations();
    const edited = { ...first!, sql: first!.sql + "\n-- edit", checksum: "changed" };
    const error = await assertRejects(
      () => migrate(test.db, { migrations: [edited, ...rest] }),
      EngineError,
    );
    assertEquals(error.code, "MIGRATION_CHANGED");
  } finally {
    await test.drop();
  }
});

Deno.test("migrate() rolls back a failing migration completely", async () => {
  const test = await createTestDb({ migrated: false });
  try {
    const migrations = [
      fakeMigration(1, "create table alpha (id int primary key);"),
      fakeMigration(2, "create table beta (id int); insert into beta values ('not a number');"),
    ];
    const error = await assertRejects(() => migrate(test.db, { migrations }), EngineError);
    assertEquals(error.code, "MIGRATION_FAILED");
    assertEquals(
      error.message.startsWith("Migration 0002_test.sql failed and was rolled back"),
      true,
    );
    assertEquals(await appliedVersions(test.db), [1]);
    const beta = await test.db.query("select to_regclass('beta') as t");
    assertEquals(beta[0]?.t, null);
  } finally {
    await test.drop();
  }
});
