/** `deno task seed` and `deno task score` as a user runs them, without an engine running. */
import { assertEquals, assertMatch } from "../helpers/assert.ts";
import { createTestDbEnv, withDbAt } from "../helpers/db.ts";
import { runScript } from "../helpers/processes.ts";

Deno.test("seed fills an empty database, refuses a full one, and score runs a cycle over it", async () => {
  const test = await createTestDbEnv();
  try {
    const seeded = await runScript("cli/seed.ts", [
      "--customers",
      "60",
      "--days",
      "20",
      "--history-weeks",
      "1",
    ], test.env);
    assertEquals(seeded.code, 0, seeded.stderr);
    assertMatch(seeded.stdout, /Seeded .*: 60 suppliers \(\d+ churned\), [\d,]+ events/);
    assertMatch(seeded.stderr, /Suppliers and events: done in/);

    const again = await runScript("cli/seed.ts", ["--customers", "60"], test.env);
    assertEquals(again.code, 1);
    assertMatch(again.stderr, /^error: The database already has customers; .* --reset/);

    const badFlag = await runScript("cli/seed.ts", ["--customers", "lots"], test.env);
    assertMatch(badFlag.stderr, /--customers must be a whole number from 1 to 1000000, not "lots"/);

    const scored = await runScript("cli/score.ts", [], test.env);
    assertEquals(scored.code, 0, scored.stderr);
    assertMatch(scored.stdout, /health +\d+ ms +scored \d+/);
    assertMatch(scored.stdout, /Cycle \d+ succeeded/);
    const cycles = await withDbAt(
      test.env,
      (db) => db.query<{ trigger: string; status: string }>("select trigger, status from cycles"),
    );
    assertEquals(cycles, [{ trigger: "cli", status: "succeeded" }]);
  } finally {
    await test.drop();
  }
});
