/** `deno task privacy:process`: processes what is pending, with the plugins, and says how each ended. */
import { assertEquals, assertMatch } from "../helpers/assert.ts";
import { createTestDbEnv, withDbAt } from "../helpers/db.ts";
import { runScript } from "../helpers/processes.ts";
import { installDefaults } from "../helpers/fixtures.ts";
import { createPrivacyRequest } from "../../engine/privacy/mod.ts";
import { upsertCustomers } from "../../engine/signals/mod.ts";
import { customer } from "../helpers/fixtures.ts";

Deno.test("privacy:process erases a customer, plugins' rows included, and says so", async () => {
  const test = await createTestDbEnv();
  try {
    const id = await withDbAt(test.env, async (db) => {
      await installDefaults(db);
      const now = new Date();
      await upsertCustomers(db, [customer("sup_1")], { now });
      await db.query(
        `insert into marketing_outbox (event_id, customer_id, kind, event_type, occurred_at,
           fields, queued_at) values (1, 'sup_1', 'at_risk', 'health.changed', $1, '{}', $1)`,
        [now],
      );
      const request = await createPrivacyRequest(db, {
        type: "deletion",
        customerId: "sup_1",
        requestedBy: "test",
        now,
      });
      return request.id;
    });
    const run = await runScript("cli/privacy_process.ts", [], test.env);
    assertEquals(run.code, 0, run.stderr);
    assertMatch(run.stdout, new RegExp(`request ${id} \\(deletion\\): completed`));
    await withDbAt(test.env, async (db) => {
      const rows = await db.query(
        "select 1 from customers where id = 'sup_1' union all select 1 from marketing_outbox",
      );
      assertEquals(rows.length, 0);
    });
    const again = await runScript("cli/privacy_process.ts", [], test.env);
    assertMatch(again.stdout, /No privacy request is pending/);
  } finally {
    await test.drop();
  }
});
