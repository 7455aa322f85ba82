/**
 * `deno task validate`: a ready setup passes with ✓ lines; a pending
 * migration, a broken audit chain, an unreachable endpoint or a bad key each
 * print their ✗ line with what to do, and the command exits 1.
 */
import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import { backend, createTestDbEnv, TEST_ENCRYPTION_KEY, withDbAt } from "../helpers/db.ts";
import { runScript, startEngine } from "../helpers/processes.ts";
import { appendAudit } from "../../engine/audit/mod.ts";
import { silentLogger } from "../../engine/log.ts";
import { openKeyring } from "../../engine/privacy/mod.ts";

/** What a production deployment sets (docs/operations.md), churn prediction aside. */
const READY_ENV = {
  PUBLIC_URL: "https://success.example.com",
  PRIVACY_ENCRYPTION_KEY: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
  // No model in a fresh database: prediction off makes the model check a skip.
  ML_CHURN_PREDICTION_ENABLED: "false",
};

/** A loopback port nothing listens on: bound, then closed again. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

Deno.test("validate prints a ✓ line per check on a ready setup and exits 0", async () => {
  const test = await createTestDbEnv();
  try {
    // As an operator deploys: migrate (which installs the default health model), then validate.
    const migrated = await runScript("cli/migrate.ts", [], test.env);
    assertEquals(migrated.code, 0, migrated.stderr);
    const result = await runScript("cli/validate.ts", [], { ...test.env, ...READY_ENV }, {
      noColor: false,
    });
    assertEquals(result.code, 0, result.stdout + result.stderr);
    const lines = result.stdout.trim().split("\n");
    for (
      const check of ["migrations", "configuration", "schedules", "encryption key", "audit chain"]
    ) {
      assert(lines.some((line) => line.startsWith(`✓ ${check}: `)), `${check}:\n${result.stdout}`);
    }
    assert(
      lines.includes(
        "– churn model: Churn prediction is off (ML_CHURN_PREDICTION_ENABLED=false): health scores only",
      ),
    );
    // The embedded database is a warning, not a failure: it works, for one process.
    const database = lines.find((line) => line.includes(" database: "))!;
    assertEquals(database.slice(0, 1), backend === "postgres" ? "✓" : "!");
    assertMatch(lines.at(-1)!, /^PRODUCTION READY/);
    assert(!result.stdout.includes("\x1b["), "no colour when not on a terminal");
  } finally {
    await test.drop();
  }
});

Deno.test("validate names a pending migration, a broken audit chain and an unreachable endpoint, and exits 1", async () => {
  const test = await createTestDbEnv();
  try {
    const migrated = await runScript("cli/migrate.ts", [], test.env);
    assertEquals(migrated.code, 0, migrated.stderr);
    const latest = await withDbAt(test.env, async (db) => {
      for (const subjectId of ["a", "b"]) {
        await appendAudit(db, {
          at: new Date("2026-06-01T10:00:00Z"),
          actor: "test",
          action: "rule.published",
          subjectType: "rule",
          subjectId,
        });
      }
      await db.exec(`alter table audit_log disable trigger audit_log_append_only;
        update audit_log set actor = 'someone else' where subject_id = 'b';
        alter table audit_log enable trigger audit_log_append_only;`);
      const [row] = await db.query<{ name: string }>(
        "delete from schema_migrations where version = (select max(version) from schema_migrations) returning name",
      );
      return row!.name;
    });
    const port = closedPort();
    const result = await runScript("cli/validate.ts", [], {
      ...test.env,
      ...READY_ENV,
      VIRAL_API_ENDPOINT: `http://127.0.0.1:${port}/viral?key=secret`,
    });
    assertEquals(result.code, 1, result.stderr);
    const lines = result.stdout.trim().split("\n");
    const line = (check: string) => lines.find((l) => l.startsWith(`[FAIL] ${check}: `)) ?? "";
    assertEquals(
      line("migrations"),
      `[FAIL] migrations: 1 migration(s) pending: ${latest} → Run deno task migrate (the engine ` +
        "also migrates when it starts)",
    );
    assertMatch(
      line("audit chain"),
      /^\[FAIL\] audit chain: Entry \d+ does not follow from the one before \(of \d+ checked\).* → Restore the audit_log table from a backup/,
    );
    assertMatch(
      line("endpoints"),
      new RegExp(
        `VIRAL_API_ENDPOINT \\(http://127\\.0\\.0\\.1:${port}/viral\\?key=redacted\\) cannot connect: .* → Check the URL`,
      ),
    );
    assert(!result.stdout.includes("secret"), "the endpoint's key is not shown");
    assertEquals(lines.at(-1), "NOT READY: 3 problems");
  } finally {
    await test.drop();
  }
});

Deno.test("validate reports a malformed encryption key as a configuration problem and exits 1", async () => {
  const test = await createTestDbEnv();
  try {
    const result = await runScript("cli/validate.ts", [], {
      ...test.env,
      ...READY_ENV,
      PRIVACY_ENCRYPTION_KEY: "too-short",
    });
    assertEquals(result.code, 1);
    assertMatch(
      result.stdout,
      /^\[FAIL\] configuration: PRIVACY_ENCRYPTION_KEY must be a 256-bit key.* → Fix those environment variables/m,
    );
    assert(!result.stdout.includes("too-short"), "the key is not repeated");
    assertMatch(result.stdout, /NOT READY: 1 problem\n$/);
  } finally {
    await test.drop();
  }
});

Deno.test("validate fails the encryption key line when the key is not the database's, or not set", async () => {
  const test = await createTestDbEnv();
  try {
    // An engine started with the test key: the database knows its key ids.
    await withDbAt(test.env, async (db) => {
      await openKeyring(db, { PRIVACY_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, DATA_DIR: "unused" }, {
        now: new Date(),
        log: silentLogger,
      });
    });
    const other = await runScript("cli/validate.ts", [], { ...test.env, ...READY_ENV });
    assertEquals(other.code, 1, other.stdout);
    assertMatch(
      other.stdout,
      /^\[FAIL\] encryption key: Encryption key "[a-z]+-[0-9a-f]{12}" \([a-z]+\) is not configured, but values/m,
    );
    const { PRIVACY_ENCRYPTION_KEY: _, ...withoutKey } = { ...test.env, ...READY_ENV };
    const unset = await runScript("cli/validate.ts", [], withoutKey);
    assertEquals(unset.code, 1, unset.stdout);
    assertMatch(unset.stdout, /^\[FAIL\] encryption key: No encryption key is configured/m);
    const same = await runScript("cli/validate.ts", [], {
      ...test.env,
      ...READY_ENV,
      PRIVACY_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    });
    assertMatch(
      same.stdout,
      /^\[ok\] +encryption key: Keys from PRIVACY_ENCRYPTION_KEY match the/m,
    );
  } finally {
    await test.drop();
  }
});

Deno.test("validate --engine asks that running engine, whose plugins it can see, and names a bad token", async () => {
  const test = await createTestDbEnv();
  const engine = await startEngine({ ...test.env, ...READY_ENV });
  try {
    const result = await runScript("cli/validate.ts", ["--engine", engine.url], {
      ...test.env,
      ...READY_ENV,
      ENGINE_TOKEN: engine.adminToken,
    });
    // Asked directly, the plugins line is skipped; the engine knows its running plugins.
    assertMatch(result.stdout, /^\[ok\] {3}plugins: \d+ running: .*email/m);
    assertMatch(result.stdout.trim().split("\n").at(-1)!, /^(PRODUCTION READY|NOT READY)/);
    const refused = await runScript("cli/validate.ts", ["--engine", engine.url], {
      ENGINE_TOKEN: "not-a-token-of-this-engine-0123456789",
    });
    assertEquals(refused.code, 1);
    assertMatch(refused.stderr, /answered 401 .*ENGINE_TOKEN must be an admin token/);
    const missing = await runScript("cli/validate.ts", ["--engine", engine.url], {});
    assertEquals(missing.code, 1);
    assertMatch(missing.stderr, /--engine needs an admin token in ENGINE_TOKEN/);
  } finally {
    await engine.stop();
    await test.drop();
  }
});
