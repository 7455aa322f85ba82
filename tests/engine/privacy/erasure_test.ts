/**
 * Deletion requests: tombstones keep the person from coming back, a running
 * cycle defers the deletion, a failing plugin fails it, a second one is
 * harmless.
 */
import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";
import type { PersonalDataHolders } from "../../../engine/privacy/mod.ts";
import { processPrivacyRequests } from "../../../engine/privacy/mod.ts";
import { upsertCustomers } from "../../../engine/signals/mod.ts";
import { customer, daysAgo, NOW } from "../../helpers/fixtures.ts";
import { addCustomers, withOffline } from "../../plugins/offline/helpers.ts";
import { ask, asked, processAt } from "./privacy_helpers.ts";

const erasable = customer("sup_gone", { externalId: "crm-gone-1", name: "Gone Ltd" });

Deno.test("after a deletion the customer cannot come back: upsert, import by external id, events, requests", async () => {
  await withApi(async (api) => {
    await upsertCustomers(api.db, [erasable], { now: NOW });
    await asked(api, "deletion", "sup_gone");
    const [done] = await processAt(api);
    assertEquals(done!.status, "completed");

    const { id: _id, ...body } = erasable;
    const put = await api.call("PUT", "/api/v1/customers/sup_gone", body);
    assertEquals([put.status, put.body.code], [410, "CUSTOMER_ERASED"]);
    assertMatch(
      put.body.detail,
      /customer "sup_gone", external id "crm-gone-1" were erased by a privacy deletion request/,
    );
    // Under a new id, the erased external id (an import from the CRM) is refused too.
    const batch = await api.call("POST", "/api/v1/customers/batch", {
      customers: [{ ...body, id: "sup_new" }],
    });
    assertEquals([batch.status, batch.body.code], [410, "CUSTOMER_ERASED"]);
    assertMatch(batch.body.detail, /external id "crm-gone-1"/);
    const events = await api.call("POST", "/api/v1/events", {
      events: [{ id: "e1", customerId: "sup_gone", type: "login", occurredAt: daysAgo(1) }],
    });
    assertEquals([events.status, events.body.code], [410, "CUSTOMER_ERASED"]);
    const again = await ask(api, "access", "sup_gone");
    assertEquals([again.status, again.body.code], [410, "CUSTOMER_ERASED"]);
    // Nothing was stored by the refused calls.
    const [left] = await api.db.query<{ n: number }>(
      "select count(*)::int as n from customers where id in ('sup_gone', 'sup_new')",
    );
    assertEquals(left!.n, 0);
  });
});

Deno.test("a deletion while a cycle runs waits for it, then erases", async () => {
  await withApi(async (api) => {
    await upsertCustomers(api.db, [erasable], { now: NOW });
    const [cycle] = await api.db.query<{ id: string }>(
      `insert into cycles (trigger, status, as_of, started_at, heartbeat_at)
       values ('schedule', 'running', $1, $1, $1) returning id`,
      [NOW],
    );
    const request = await asked(api, "deletion", "sup_gone");
    const [waiting] = await processAt(api);
    assertEquals(waiting!.status, "pending");
    assertMatch(waiting!.note!, new RegExp(`Waiting for evaluation cycle ${cycle!.id} to finish`));
    // Nothing was erased meanwhile, and a second request is still a duplicate.
    assertEquals((await api.call("GET", "/api/v1/customers/sup_gone")).status, 200);
    assertEquals((await ask(api, "deletion", "sup_gone")).status, 409);

    await api.db.query("update cycles set status = 'succeeded', finished_at = $1", [NOW]);
    const [done] = await processAt(api);
    assertEquals([done!.id, done!.status, done!.attempts, done!.note], [
      request.id,
      "completed",
      2,
      null,
    ]);
    assertEquals((await api.call("GET", "/api/v1/customers/sup_gone")).status, 404);
  });
});

Deno.test("a cycle after a deletion does not score the erased customer's stand-in", async () => {
  await withApi(async (api) => {
    await upsertCustomers(api.db, [erasable], { now: NOW });
    await api.cycles.run("api");
    await asked(api, "deletion", "sup_gone");
    const [done] = await processAt(api);
    const pseudonym = (done!.result as { pseudonym: string }).pseudonym;
    const scores = async () =>
      (await api.db.query<{ n: number }>(
        "select count(*)::int as n from customer_health where customer_id = $1",
        [pseudonym],
      ))[0]!.n;
    const before = await scores();
    assert(before > 0, "the history of scores is kept under the pseudonym");
    await api.cycles.run("api");
    assertEquals(await scores(), before);
    const [standIn] = await api.db.query<{ name: string; churned_at: Date }>(
      "select name, churned_at from customers where id = $1",
      [pseudonym],
    );
    assertEquals([standIn!.name, standIn!.churned_at.toISOString()], [
      "Erased customer",
      NOW.toISOString(),
    ]);
  });
});

Deno.test("a plugin that fails to erase fails the deletion, which can be asked again", async () => {
  await withApi(async (api) => {
    await upsertCustomers(api.db, [erasable], { now: NOW });
    let fail = true;
    const holders: PersonalDataHolders = {
      exportCustomer: () => Promise.resolve({}),
      eraseCustomer: () =>
        fail
          ? Promise.reject(new Error("CRM answered 503"))
          : Promise.resolve({ crm: { rows: 1 } }),
    };
    await asked(api, "deletion", "sup_gone");
    const [failed] = await processPrivacyRequests(api.db, { holders, now: () => NOW });
    assertEquals(failed!.status, "failed");
    assertMatch(failed!.note!, /CRM answered 503; ask again once fixed/);
    // Nothing of the engine's was erased.
    assertEquals((await api.call("GET", "/api/v1/customers/sup_gone")).status, 200);

    fail = false;
    await asked(api, "deletion", "sup_gone");
    const [done] = await processPrivacyRequests(api.db, { holders, now: () => NOW });
    assertEquals(done!.status, "completed");
    assertEquals((done!.result as { plugins: unknown }).plugins, { crm: { rows: 1 } });
  });
});

Deno.test("a request whose customer is gone by the time it is processed is rejected, saying why", async () => {
  await withApi(async (api) => {
    await upsertCustomers(api.db, [erasable, customer("sup_removed")], { now: NOW });
    const deletion = await asked(api, "deletion", "sup_gone");
    const access = await asked(api, "access", "sup_gone");
    const removed = await asked(api, "deletion", "sup_removed");
    // Removed by other means (an operator's SQL) before the job ran.
    await api.db.query("delete from customers where id = 'sup_removed'");
    const processed = await processAt(api);
    assertEquals(processed.map((r) => [r.id, r.status, r.note]), [
      [deletion.id, "completed", null],
      [
        access.id,
        "rejected",
        "The customer was erased before this request was processed; nothing is held",
      ],
      [removed.id, "rejected", 'No customer "sup_removed" exists any more; nothing to erase'],
    ]);
  });
});

Deno.test("POST /plugins/offline/push - an item for an erased customer is rejected with CUSTOMER_ERASED", async () => {
  await withOffline(async (test) => {
    await addCustomers(test.db, ["sup_1", "sup_gone"]);
    await asked(test.api, "deletion", "sup_gone");
    await processAt(test.api);
    const response = await test.call("POST", "/plugins/offline/push", {
      body: {
        client: { id: "ipad-7", sentAt: NOW.toISOString() },
        items: ["sup_1", "sup_gone"].map((customerId, i) => ({
          key: `k${i}`,
          kind: "usage",
          at: daysAgo(1).toISOString(),
          customerId,
          type: "login",
        })),
      },
    });
    assertEquals(response.status, 200);
    const [kept, refused] = response.body.items;
    assertEquals(kept.status, "accepted");
    assertEquals([refused.status, refused.code], ["rejected", "CUSTOMER_ERASED"]);
    assertMatch(refused.errors[0].message, /customer "sup_gone" was erased/);
  });
});
