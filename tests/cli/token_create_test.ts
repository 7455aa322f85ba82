/** `deno task token:create` as a user runs it. */
import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import { createTestDbEnv, withDbAt } from "../helpers/db.ts";
import { runScript } from "../helpers/processes.ts";
import { sha256Hex } from "../../engine/hash.ts";

Deno.test("token:create prints the secret alone on stdout and stores only its hash", async () => {
  const test = await createTestDbEnv();
  try {
    const created = await runScript("cli/token_create.ts", [
      "--role",
      "success-manager",
      "--name",
      "success team laptop",
      "--expires-at",
      "2099-01-01",
    ], test.env);
    assertEquals(created.code, 0, created.stderr);
    const secret = created.stdout.trim();
    assertMatch(secret, /^cse_[A-Za-z0-9_-]{43}$/);
    assertMatch(
      created.stderr,
      /Created token \d+ "success team laptop" with the role success-manager/,
    );
    const rows = await withDbAt(
      test.env,
      (db) =>
        db.query<{ token_hash: string; created_by: string; expires_at: Date }>(
          "select token_hash, created_by, expires_at from api_tokens",
        ),
    );
    assertEquals(rows.length, 1);
    assertEquals(rows[0]!.token_hash, await sha256Hex(secret));
    assertMatch(rows[0]!.created_by, /^local:cli \(/);
    assertEquals(rows[0]!.expires_at.toISOString(), "2099-01-01T00:00:00.000Z");

    const badRole = await runScript(
      "cli/token_create.ts",
      ["--role", "owner", "--name", "x"],
      test.env,
    );
    assertEquals(badRole.code, 1);
    assert(badRole.stderr.includes('--role "owner" is not a role; use one of success-analyst'));
    assertEquals(badRole.stdout, "");
  } finally {
    await test.drop();
  }
});
