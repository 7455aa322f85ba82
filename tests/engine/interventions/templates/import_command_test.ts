/** `deno task templates:import` as a user runs it, on the default packs and on a file of their own. */
import { assert, assertEquals, assertMatch } from "../../../helpers/assert.ts";
import { createTestDbEnv, withDbAt } from "../../../helpers/db.ts";
import { runScript } from "../../../helpers/processes.ts";

Deno.test("templates:import creates drafts from the packs, publishes with --publish, and refuses a bad file whole", async () => {
  const test = await createTestDbEnv();
  const dir = await Deno.makeTempDir();
  try {
    const drafts = await runScript("cli/templates_import.ts", [], test.env);
    assertEquals(drafts.code, 0, drafts.stderr);
    assertMatch(drafts.stdout, /(\d+) templates in 4 file\(s\): \1 created/);
    const published = await runScript("cli/templates_import.ts", ["--publish"], test.env);
    assertEquals(published.code, 0, published.stderr);
    assertMatch(published.stdout, /(\d+) unchanged, \1 published/);

    // A pack of our own: one template changed, one new; and a broken file next to it.
    const ours = {
      pack: "ours",
      templates: [
        {
          id: "payment_failed",
          name: "Payment failed",
          description: "Shorter",
          definition: {
            channel: "email",
            subject: "Please update your card",
            text: "Hi {{customer.name}}, please update your card: {{links.app}}",
          },
        },
        {
          id: "vip_thanks",
          name: "Thank a VIP",
          definition: { channel: "in-app", text: "Thank you, **{{customer.name}}**!" },
        },
      ],
    };
    await Deno.writeTextFile(`${dir}/ours.json`, JSON.stringify(ours));
    await Deno.writeTextFile(
      `${dir}/broken.json`,
      JSON.stringify({
        pack: "broken",
        templates: [{
          id: "typo",
          name: "Typo",
          definition: { channel: "slack", text: "Hi\n{{customer.nmae}}" },
        }],
      }),
    );
    const refused = await runScript(
      "cli/templates_import.ts",
      [`${dir}/ours.json`, `${dir}/broken.json`],
      test.env,
    );
    assertEquals(refused.code, 1);
    assert(
      refused.stderr.includes(`${dir}/broken.json templates[0].definition.text: line 2, column 3`),
      refused.stderr,
    );
    assert(refused.stderr.includes('Did you mean "customer.name"?'), refused.stderr);

    const imported = await runScript("cli/templates_import.ts", [`${dir}/ours.json`], test.env);
    assertEquals(imported.code, 0, imported.stderr);
    assertMatch(
      imported.stdout,
      /2 templates in 1 file\(s\): 1 created, 1 with a new draft, 0 unchanged/,
    );
    const rows = await withDbAt(
      test.env,
      (db) =>
        db.query<{ id: string; status: string; has_draft: boolean; version: number | null }>(
          `select id, status, draft is not null as has_draft, published_version as version
           from templates where id in ('payment_failed', 'vip_thanks', 'typo') order by id`,
        ),
    );
    // The published version keeps being sent until the new draft is published.
    assertEquals(rows, [
      { id: "payment_failed", status: "published", has_draft: true, version: 1 },
      { id: "vip_thanks", status: "draft", has_draft: true, version: null },
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await test.drop();
  }
});
