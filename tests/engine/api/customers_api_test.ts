import { assert, assertEquals } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";
import { customer, NOW } from "../../helpers/fixtures.ts";

const fields = (id: string, overrides: Record<string, unknown> = {}) => {
  const { id: _id, ...rest } = customer(id);
  return { ...rest, ...overrides };
};

Deno.test("PUT /api/v1/customers/:id creates (201), then replaces (200), and GET reads it back", async () => {
  await withApi(async (api) => {
    const created = await api.call(
      "PUT",
      "/api/v1/customers/sup_7",
      fields("sup_7", { externalId: "crm-7" }),
    );
    assertEquals(created.status, 201);
    assertEquals(created.body.id, "sup_7");
    assertEquals(created.body.externalId, "crm-7");
    assertEquals(created.body.createdAt, NOW.toISOString());
    const replaced = await api.call(
      "PUT",
      "/api/v1/customers/sup_7",
      fields("sup_7", { plan: "scale", mrr: 199 }),
    );
    assertEquals(replaced.status, 200);
    assertEquals([replaced.body.plan, replaced.body.mrr, replaced.body.externalId], [
      "scale",
      199,
      null,
    ]);
    const read = await api.call("GET", "/api/v1/customers/sup_7");
    assertEquals(read.body, replaced.body);
    const milestones = await api.call("GET", "/api/v1/customers/sup_7/milestones");
    assertEquals(milestones.body.items.map((m: { key: string }) => m.key), [
      "profile_completed",
      "first_client_added",
      "first_form_sent",
      "first_payment_received",
      "five_clients_added",
    ]);
    assertEquals(milestones.body.items[0].dueAt, "2026-01-17T00:00:00.000Z"); // signup + 7 days
  });
});

Deno.test("PUT /api/v1/customers/:id rejects bad fields by name and stores nothing", async () => {
  await withApi(async (api) => {
    const response = await api.call("PUT", "/api/v1/customers/sup_8", {
      ...fields("sup_8"),
      timeZone: "Mars/Olympus",
      vendorType: "astronaut",
      mrr: -5,
      nickname: "x",
    });
    assertEquals(response.status, 400);
    assertEquals(
      response.body.errors.map((e: { path: string }) => e.path).sort(),
      ["(body)", "mrr", "timeZone", "vendorType"],
    );
    const badId = await api.call("PUT", "/api/v1/customers/has%20space", fields("x"));
    assertEquals([badId.status, badId.body.errors[0].path], [400, "path.id"]);
    const missing = await api.call("GET", "/api/v1/customers/sup_8");
    assertEquals([missing.status, missing.body.code], [404, "CUSTOMER_NOT_FOUND"]);
  });
});

Deno.test("an external id already held by another customer is a 409 conflict", async () => {
  await withApi(async (api) => {
    await api.call("PUT", "/api/v1/customers/sup_a", fields("sup_a", { externalId: "crm-1" }));
    const clash = await api.call(
      "PUT",
      "/api/v1/customers/sup_b",
      fields("sup_b", { externalId: "crm-1" }),
    );
    assertEquals(clash.status, 409);
    assertEquals(clash.body.errors, [{
      path: "externalId",
      message: 'external id "crm-1" already belongs to customer "sup_a"',
    }]);
    assertEquals((await api.call("GET", "/api/v1/customers/sup_b")).status, 404);
  });
});

Deno.test("POST /api/v1/customers/batch upserts all or nothing, and the list pages with a cursor", async () => {
  await withApi(async (api) => {
    const ids = ["sup_1", "sup_2", "sup_3", "sup_4", "sup_5"];
    const batch = await api.call("POST", "/api/v1/customers/batch", {
      customers: ids.map((id) => ({ id, ...fields(id) })),
    });
    assertEquals(batch.body, { created: ids, updated: [] });
    const duplicate = await api.call("POST", "/api/v1/customers/batch", {
      customers: [{ id: "sup_9", ...fields("sup_9") }, { id: "sup_9", ...fields("sup_9") }],
    });
    assertEquals([duplicate.status, duplicate.body.errors[0].path], [400, "customers[1].id"]);
    assertEquals((await api.call("GET", "/api/v1/customers/sup_9")).status, 404);

    const page1 = await api.call("GET", "/api/v1/customers?limit=2");
    assertEquals(page1.body.items.map((c: { id: string }) => c.id), ["sup_1", "sup_2"]);
    const page2 = await api.call(
      "GET",
      `/api/v1/customers?limit=2&cursor=${page1.body.nextCursor}`,
    );
    assertEquals(page2.body.items.map((c: { id: string }) => c.id), ["sup_3", "sup_4"]);
    const page3 = await api.call(
      "GET",
      `/api/v1/customers?limit=2&cursor=${page2.body.nextCursor}`,
    );
    assertEquals([page3.body.items.length, page3.body.nextCursor], [1, null]);
    const bad = await api.call("GET", "/api/v1/customers?limit=0");
    assertEquals([bad.status, bad.body.errors[0].path], [400, "query.limit"]);
    assert((await api.call("GET", "/api/v1/customers?vendorType=florist")).body.items.length === 0);
  });
});
