/** `deno task rules:import` as a user runs it, on the default packs and on a file of their own. */
import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import { createTestDbEnv, withDbAt } from "../helpers/db.ts";
import { runScript } from "../helpers/processes.ts";

Deno.test("rules:import creates drafts from the packs, publishes with --publish, and refuses a bad file whole", async () => {
  const test = await createTestDbEnv();
  const dir = await Deno.makeTempDir();
  try {
    const drafts = await runScript("cli/rules_import.ts", [], test.env);
    assertEquals(drafts.code, 0, drafts.stderr);
    assertMatch(drafts.stdout, /(\d+) rules in 3 file\(s\): \1 created/);
    const published = await runScript("cli/rules_import.ts", ["--publish"], test.env);
    assertMatch(published.stdout, /(\d+) unchanged, \1 published/);

    // A pack of our own: one rule changed, one new; and a broken file next to it.
    const changed = {
      pack: "ours",
      rules: [
        {
          id: "payment-failed",
          name: "Payment failed",
          definition: {
            conditions: {
              all: [{ fact: "failedPayments30d", operator: "greaterThanInclusive", value: 2 }],
            },
            event: { type: "notify_owner", params: {} },
          },
        },
        {
          id: "vip-check-in",
          name: "VIP check-in",
          tags: ["vip"],
          definition: {
            conditions: { all: [{ fact: "mrr", operator: "greaterThan", value: 500 }] },
            event: { type: "notify_owner", params: {} },
          },
        },
      ],
    };
    await Deno.writeTextFile(`${dir}/ours.json`, JSON.stringify(changed));
    await Deno.writeTextFile(
      `${dir}/broken.json`,
      JSON.stringify({
        pack: "broken",
        rules: [{
          id: "typo",
          name: "Typo",
          definition: {
            conditions: { all: [{ fact: "mrrr", operator: "greaterThan", value: 1 }] },
            event: { type: "notify_owner" },
          },
        }],
      }),
    );
    const refused = await runScript(
      "cli/rules_import.ts",
      [`${dir}/ours.json`, `${dir}/broken.json`],
      test.env,
    );
    assertEquals(refused.code, 1);
    assert(
      refused.stderr.includes(`${dir}/broken.json rules[0].definition.conditions.all[0].fact`),
      refused.stderr,
    );
    assert(refused.stderr.includes('Did you mean "mrr"?'), refused.stderr);

    const ours = await runScript("cli/rules_import.ts", [`${dir}/ours.json`], test.env);
    assertEquals(ours.code, 0, ours.stderr);
    assertMatch(ours.stdout, /2 rules in 1 file\(s\): 1 created, 1 with a new draft, 0 unchanged/);
    const rows = await withDbAt(
      test.env,
      (db) =>
        db.query<{ id: string; status: string; has_draft: boolean; version: number | null }>(
          `select id, status, draft is not null as has_draft, published_version as version
         from rules where id in ('payment-failed', 'vip-check-in', 'typo') order by id`,
        ),
    );
    // The published version keeps running until the new draft is published.
    assertEquals(rows, [
      { id: "payment-failed", status: "published", has_draft: true, version: 1 },
      { id: "vip-check-in", status: "draft", has_draft: true, version: null },
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await test.drop();
  }
});

Deno.test("rules:import knows the facts the enabled plugins declare, and not a disabled plugin's", async () => {
  const test = await createTestDbEnv();
  const dir = await Deno.makeTempDir();
  try {
    const referrers = {
      pack: "referrals",
      rules: [{
        id: "thank-referrers",
        name: "Thank referrers",
        definition: {
          conditions: { all: [{ fact: "referrals_sent_30d", operator: "greaterThan", value: 2 }] },
          event: { type: "notify_owner", params: {} },
        },
      }],
    };
    await Deno.writeTextFile(`${dir}/referrals.json`, JSON.stringify(referrers));
    const imported = await runScript("cli/rules_import.ts", [`${dir}/referrals.json`], test.env);
    assertEquals(imported.code, 0, imported.stderr);
    assertMatch(imported.stdout, /1 rules in 1 file\(s\): 1 created/);

    await withDbAt(test.env, async (db) => {
      await db.query(
        `insert into plugin_settings (name, enabled, updated_at, updated_by)
         values ('viral', false, now(), 'test')`,
      );
    });
    referrers.rules[0]!.id = "thank-referrers-2";
    await Deno.writeTextFile(`${dir}/referrals.json`, JSON.stringify(referrers));
    const refused = await runScript("cli/rules_import.ts", [`${dir}/referrals.json`], test.env);
    assertEquals(refused.code, 1);
    assertMatch(refused.stderr, /referrals_sent_30d/);
  } finally {
    await test.drop();
    await Deno.remove(dir, { recursive: true });
  }
});
