import { assertEquals, assertRejects } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";
import { customer, NOW } from "../../helpers/fixtures.ts";
import { withTestDb } from "../../helpers/db.ts";
import { EngineError } from "../../../engine/errors.ts";
import { deliverToInbox, listInbox, markInboxRead } from "../../../engine/interventions/mod.ts";
import { upsertCustomers } from "../../../engine/signals/mod.ts";

const message = (customerId: string, dedupKey: string, text = `Hello ${dedupKey}`) => ({
  interventionId: `int-${dedupKey}`,
  dedupKey,
  customer: { id: customerId },
  subject: "A tip",
  text,
  test: false,
});

Deno.test("deliverToInbox() stores a message once per dedup key and returns its id each time", async () => {
  await withTestDb(async (db) => {
    await upsertCustomers(db, [customer("sup_rose")], { now: NOW });
    const first = await deliverToInbox(db, message("sup_rose", "k1"), { now: NOW });
    const again = await deliverToInbox(db, message("sup_rose", "k1", "changed"), { now: NOW });
    const other = await deliverToInbox(db, message("sup_rose", "k2"), { now: NOW });
    assertEquals(again, first);
    assertEquals(other.id > first.id, true);
    const { items } = await listInbox(db, "sup_rose", { limit: 10 });
    assertEquals(items.map((m) => [m.id, m.body]), [[other.id, "Hello k2"], [
      first.id,
      "Hello k1",
    ]]);
    assertEquals(items[1], {
      id: first.id,
      customerId: "sup_rose",
      userId: null,
      interventionId: "int-k1",
      subject: "A tip",
      body: "Hello k1",
      test: false,
      createdAt: NOW.toISOString(),
      readAt: null,
    });
  });
});

Deno.test("deliverToInbox() refuses an unknown customer with CUSTOMER_NOT_FOUND", async () => {
  await withTestDb(async (db) => {
    const error = await assertRejects(
      () => deliverToInbox(db, message("sup_none", "k1")),
      EngineError,
    );
    assertEquals(error.code, "CUSTOMER_NOT_FOUND");
  });
});

Deno.test("markInboxRead() keeps the first read time and knows only the customer's own messages", async () => {
  await withTestDb(async (db) => {
    await upsertCustomers(db, [customer("sup_a"), customer("sup_b")], { now: NOW });
    const { id } = await deliverToInbox(db, message("sup_a", "k1"), { now: NOW });
    const later = new Date(NOW.getTime() + 60_000);
    assertEquals((await markInboxRead(db, "sup_a", id, later)).readAt, later.toISOString());
    const again = await markInboxRead(db, "sup_a", id, new Date(later.getTime() + 60_000));
    assertEquals(again.readAt, later.toISOString());
    const error = await assertRejects(() => markInboxRead(db, "sup_b", id, later), EngineError);
    assertEquals(error.code, "INBOX_MESSAGE_NOT_FOUND");
  });
});

Deno.test("GET /api/v1/customers/{id}/inbox pages newest first and filters unread; POST …/read marks one", async () => {
  await withApi(async (api) => {
    const { id: _id, ...fields } = customer("sup_rose");
    assertEquals((await api.call("PUT", "/api/v1/customers/sup_rose", fields)).status, 201);
    const ids = [];
    for (const key of ["k1", "k2", "k3"]) {
      ids.push((await deliverToInbox(api.db, message("sup_rose", key), { now: NOW })).id);
    }

    const page1 = await api.call("GET", "/api/v1/customers/sup_rose/inbox?limit=2");
    assertEquals(page1.status, 200);
    assertEquals(page1.body.items.map((m: { id: number }) => m.id), [ids[2], ids[1]]);
    assertEquals(page1.body.nextCursor, String(ids[1]));
    const page2 = await api.call(
      "GET",
      `/api/v1/customers/sup_rose/inbox?limit=2&cursor=${page1.body.nextCursor}`,
    );
    assertEquals(page2.body.items.map((m: { id: number }) => m.id), [ids[0]]);
    assertEquals(page2.body.nextCursor, null);

    const read = await api.call("POST", `/api/v1/customers/sup_rose/inbox/${ids[1]}/read`);
    assertEquals(read.status, 200);
    assertEquals([read.body.id, read.body.readAt], [ids[1], NOW.toISOString()]);

    const unread = await api.call("GET", "/api/v1/customers/sup_rose/inbox?unread=true");
    assertEquals(unread.body.items.map((m: { id: number }) => m.id), [ids[2], ids[0]]);
    const all = await api.call("GET", "/api/v1/customers/sup_rose/inbox");
    assertEquals(all.body.items.map((m: { readAt: string | null }) => m.readAt), [
      null,
      NOW.toISOString(),
      null,
    ]);
  });
});

Deno.test("the inbox routes answer 404 for unknown customers and messages, 400 for bad input", async () => {
  await withApi(async (api) => {
    const { id: _id, ...fields } = customer("sup_rose");
    await api.call("PUT", "/api/v1/customers/sup_rose", fields);
    const noCustomer = await api.call("GET", "/api/v1/customers/sup_none/inbox");
    assertEquals([noCustomer.status, noCustomer.body.code], [404, "CUSTOMER_NOT_FOUND"]);
    const noMessage = await api.call("POST", "/api/v1/customers/sup_rose/inbox/999/read");
    assertEquals([noMessage.status, noMessage.body.code], [404, "INBOX_MESSAGE_NOT_FOUND"]);
    assertEquals(
      noMessage.body.detail,
      'Customer "sup_rose" has no inbox message 999: list the inbox with ' +
        "GET /api/v1/customers/sup_rose/inbox",
    );
    const badId = await api.call("POST", "/api/v1/customers/sup_rose/inbox/abc/read");
    assertEquals([badId.status, badId.body.errors[0].path], [400, "path.messageId"]);
    const badFilter = await api.call("GET", "/api/v1/customers/sup_rose/inbox?unread=yes");
    assertEquals([badFilter.status, badFilter.body.errors[0].path], [400, "query.unread"]);
  });
});

Deno.test("an analyst reads the inbox but cannot mark messages read", async () => {
  await withApi(async (api) => {
    const { id: _id, ...fields } = customer("sup_rose");
    await api.call("PUT", "/api/v1/customers/sup_rose", fields);
    const { id } = await deliverToInbox(api.db, message("sup_rose", "k1"), { now: NOW });
    const analyst = { authorization: `Bearer ${api.tokens["success-analyst"]}` };
    const manager = { authorization: `Bearer ${api.tokens["success-manager"]}` };
    assertEquals(
      (await api.call("GET", "/api/v1/customers/sup_rose/inbox", undefined, analyst)).status,
      200,
    );
    const path = `/api/v1/customers/sup_rose/inbox/${id}/read`;
    assertEquals((await api.call("POST", path, undefined, analyst)).status, 403);
    assertEquals((await api.call("POST", path, undefined, manager)).status, 200);
  });
});
