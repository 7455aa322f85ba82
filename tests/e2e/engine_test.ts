/** The engine as a user runs it: a real process, a real port, real signals. */
import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import { backend, createTestDb, createTestDbEnv } from "../helpers/db.ts";
import { runScript, startEngine } from "../helpers/processes.ts";

Deno.test("the engine starts with demo data, prints its URL, serves the API and stops on SIGTERM", async () => {
  const test = await createTestDbEnv();
  try {
    // No INIT_ADMIN_TOKEN: the first start makes an admin token and shows it once.
    const engine = await startEngine({
      ...test.env,
      DEMO_DATA: "true",
      DEMO_CUSTOMERS: "40",
      INIT_ADMIN_TOKEN: "",
    });
    const health = await fetch(`${engine.url}/api/customer-success/health`);
    // Degraded until churn model, interventions, plugins and privacy exist (docs/health-checks.md).
    assertEquals([health.status, (await health.json()).status], [200, "degraded"]);
    const anonymous = await fetch(`${engine.url}/api/v1/customers`);
    assertEquals(anonymous.status, 401);
    await anonymous.body?.cancel();
    const shown = /admin token \(shown this once; keep it\): (cse_\S+)/.exec(engine.stdout());
    assert(shown, "the banner shows the first admin token");
    const auth = { headers: { authorization: `Bearer ${shown[1]}` } };
    const page = await (await fetch(`${engine.url}/api/v1/customers?limit=100`, auth)).json();
    assertEquals(page.items.length, 40);
    const scored = await (await fetch(
      `${engine.url}/api/v1/customers/${page.items[0].id}/health`,
      auth,
    )).json();
    assert(scored.history.length > 0, "demo data comes with health history");
    const stopped = await engine.stop("SIGTERM");
    assertEquals(stopped.code, 0);
    assertMatch(stopped.stdout, /Stopped\./);
    if (backend === "pglite") {
      const lock = await Deno.stat(`${test.env.DATA_DIR}/engine.lock`).catch(() => null);
      assertEquals(lock, null, "the data folder lock is released");
    }
  } finally {
    await test.drop();
  }
});

Deno.test("while the engine runs, commands share the database or go through its API", async () => {
  const test = await createTestDbEnv();
  try {
    const engine = await startEngine({ ...test.env, DEMO_DATA: "false" });
    try {
      const score = await runScript("cli/score.ts", [], test.env);
      assertEquals(score.code, 0, score.stderr);
      assertMatch(score.stdout, /Cycle \d+ succeeded/);
      const seed = await runScript("cli/seed.ts", ["--customers", "10"], test.env);
      if (backend === "pglite") {
        assertMatch(score.stdout, /holds the database; running the cycle there/);
        assertEquals(seed.code, 1);
        assertMatch(seed.stderr, /^error: The data folder .* is in use by the engine \(pid \d+/);
        assertMatch(seed.stderr, /stop that process first/);
        assert(!seed.stderr.includes("    at "), "no stack trace");
      } else {
        assertEquals(seed.code, 0, seed.stderr); // PostgreSQL is shared by many processes.
      }
    } finally {
      await engine.stop();
    }
  } finally {
    await test.drop();
  }
});

Deno.test("a database that is down stops the start with one clear message", async () => {
  const result = await runScript("main.ts", [], {
    DATABASE_URL: "postgres://postgres@127.0.0.1:1/customer_success",
  });
  assertEquals(result.code, 1);
  assertEquals(
    result.stderr.trim(),
    "error: Cannot connect to PostgreSQL at 127.0.0.1:1 (database customer_success): connection refused. " +
      "Start PostgreSQL or fix DATABASE_URL (unset it to use the embedded database in DATA_DIR)",
  );
});

Deno.test("bad configuration stops the start with one line per variable", async () => {
  const result = await runScript("main.ts", [], { PORT: "eighty", LOG_LEVEL: "loud" });
  assertEquals(result.code, 1);
  const lines = result.stderr.trim().split("\n");
  assertEquals(lines[0], "error: Invalid configuration: 2 environment variable(s) must be fixed");
  assertEquals(lines.slice(1).map((l) => l.split(":")[0]?.trim()).sort(), ["LOG_LEVEL", "PORT"]);
});

Deno.test("the engine refuses a database migrated by a newer engine", async () => {
  const test = await createTestDb();
  await test.db.query(
    "insert into schema_migrations (version, name, checksum) values (9999, '9999_future.sql', 'x')",
  );
  await test.db.close();
  try {
    const result = await runScript("main.ts", [], { ...test.env, PORT: "0" });
    assertEquals(result.code, 1);
    assertMatch(
      result.stderr,
      /^error: The database schema is at migration 9999_future\.sql but this engine only knows/,
    );
  } finally {
    await test.drop().catch(() => {});
  }
});
