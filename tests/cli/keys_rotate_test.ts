/**
 * `deno task keys:rotate` as an operator runs it: stopped halfway, run again
 * to finish, then the engine starts without the old key and shows every
 * customer; an engine given only the old key refuses to start.
 */
import { silentLogger } from "../../engine/log.ts";
import { derivedKeys, openKeyring } from "../../engine/privacy/mod.ts";
import { assert, assertEquals, assertMatch, assertRejects } from "../helpers/assert.ts";
import { createTestDbEnv, withDbAt } from "../helpers/db.ts";
import { runScript, startEngine } from "../helpers/processes.ts";
import { NEW_KEY, OLD_KEY } from "../engine/privacy/encryption/keys.ts";
import { plantPersonalData } from "../engine/privacy/encryption/personal_data.ts";

Deno.test("keys:rotate stopped halfway resumes; then the engine runs without the old key", async () => {
  const test = await createTestDbEnv();
  try {
    await withDbAt(test.env, async (db) => {
      const config = { PRIVACY_ENCRYPTION_KEY: OLD_KEY, DATA_DIR: "unused" };
      await openKeyring(db, config, { now: new Date(), log: silentLogger });
      await plantPersonalData(db);
    });
    const rotating = {
      ...test.env,
      PRIVACY_ENCRYPTION_KEY: NEW_KEY,
      PRIVACY_ENCRYPTION_KEY_PREVIOUS: OLD_KEY,
    };
    const partial = await runScript(
      "cli/keys_rotate.ts",
      ["--batch-size", "1", "--max-batches", "2"],
      rotating,
    );
    assertEquals(partial.code, 0, partial.stderr);
    assertMatch(partial.stderr, /customers: 2 \/ 3 rows/);
    assertMatch(partial.stdout, /Stopped after 2 batches; \d+ rows still to do: run deno task/);

    const rest = await runScript("cli/keys_rotate.ts", [], rotating);
    assertEquals(rest.code, 0, rest.stderr);
    assertMatch(rest.stdout, /usage_events +2 of 2 rows re-encrypted/);
    assertMatch(rest.stdout, /Every personal value is under the active keys\./);
    for (const key of await derivedKeys(OLD_KEY, false)) {
      assert(rest.stdout.includes(key.id), `${key.id} retired:\n${rest.stdout}`);
    }

    const engine = await startEngine({ ...test.env, PRIVACY_ENCRYPTION_KEY: NEW_KEY });
    try {
      const found = await engine.fetch(
        "/api/v1/customers?email=ROSALIND@fairweather-flowers.example",
      );
      const body = await found.json();
      assertEquals(body.items.map((c: { name: string }) => c.name), [
        "Rosalind Fairweather Floristry",
      ]);
      const legacy = await (await engine.fetch("/api/v1/customers/sup_legacy")).json();
      assertEquals(legacy.name, "Legacy Lavender Catering");
    } finally {
      await engine.stop();
    }

    // Only the retired key: every value is under a key this engine lacks, so it refuses.
    const refused = await assertRejects(
      () => startEngine({ ...test.env, PRIVACY_ENCRYPTION_KEY: OLD_KEY }),
      Error,
    );
    assertMatch(
      refused.message,
      /Encryption key "[a-z]+-[0-9a-f]{12}" \([a-z]+\) is not configured/,
    );
  } finally {
    await test.drop();
  }
});
