import { assert, assertEquals } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";
import { customer, CYCLE_STAGES, daysAgo, NOW } from "../../helpers/fixtures.ts";

Deno.test("POST /api/v1/cycles scores customers, and GET .../health shows score, components and history", async () => {
  await withApi(async (api) => {
    const { id: _id, ...fields } = customer("sup_1");
    await api.call("PUT", "/api/v1/customers/sup_1", fields);
    await api.call("POST", "/api/v1/events", {
      events: [1, 2, 3].map((d) => ({
        id: `login-${d}`,
        customerId: "sup_1",
        type: "login",
        occurredAt: daysAgo(d).toISOString(),
      })),
    });
    const before = await api.call("GET", "/api/v1/customers/sup_1/health");
    assertEquals([before.status, before.body.latest], [200, null]);

    const cycle = await api.call("POST", "/api/v1/cycles?wait=true");
    assertEquals(cycle.status, 200);
    assertEquals(cycle.body.status, "succeeded");
    assertEquals(cycle.body.stages.map((s: { name: string }) => s.name), CYCLE_STAGES);
    assertEquals(cycle.body.stages[0].counts, { scored: 1, changed: 1, shards: 1 });
    assertEquals(cycle.headers.get("location"), `/api/v1/cycles/${cycle.body.id}`);

    const health = await api.call("GET", "/api/v1/customers/sup_1/health");
    assertEquals(health.body.latest.components.engagement, { score: 20, value: 3, weight: 30 });
    assertEquals(health.body.history.length, 1);
    assertEquals(health.body.trend.direction, "unknown");
    assert(health.body.latest.score > 0);

    const listed = await api.call("GET", "/api/v1/cycles");
    assertEquals(listed.body.items.map((c: { id: number }) => c.id), [cycle.body.id]);
    const one = await api.call("GET", `/api/v1/cycles/${cycle.body.id}`);
    assertEquals(one.body.status, "succeeded");
  });
});

Deno.test("a cycle started while another engine's cycle runs is a 409 naming that cycle", async () => {
  await withApi(async (api) => {
    const [other] = await api.db.query<{ id: number }>(
      `insert into cycles (trigger, status, as_of, started_at, heartbeat_at)
       values ('schedule', 'running', $1, $1, $1) returning id`,
      [NOW],
    );
    const second = await api.call("POST", "/api/v1/cycles");
    assertEquals(second.status, 409);
    assertEquals(second.body.code, "CYCLE_ALREADY_RUNNING");
    assert(second.body.detail.includes(`Cycle ${other!.id} is running`));
  });
});

Deno.test("health routes answer 404 for unknown customers and cycles, and show the model", async () => {
  await withApi(async (api) => {
    const health = await api.call("GET", "/api/v1/customers/nobody/health");
    assertEquals([health.status, health.body.code], [404, "CUSTOMER_NOT_FOUND"]);
    const cycle = await api.call("GET", "/api/v1/cycles/999");
    assertEquals([cycle.status, cycle.body.code], [404, "CYCLE_NOT_FOUND"]);
    const badCursor = await api.call("GET", "/api/v1/cycles?cursor=yesterday");
    assertEquals([badCursor.status, badCursor.body.code], [400, "VALIDATION_FAILED"]);
    assertEquals(badCursor.body.errors[0].path, "query.cursor");
    const model = await api.call("GET", "/api/v1/health-model");
    assertEquals(
      model.body.components.map((c: { key: string }) => c.key),
      ["engagement", "adoption", "milestones", "support", "billing"],
    );
    const catalog = await api.call("GET", "/api/v1/milestones");
    assertEquals(catalog.body.items.length, 5);
    const status = await api.call("GET", "/api/customer-success/health");
    // Degraded, not healthy: churn model, interventions, plugins and privacy are not built yet.
    assertEquals([status.status, status.body.status], [200, "degraded"]);
    const doc = await api.call("GET", "/api/v1/openapi.json");
    assertEquals(doc.body.openapi, "3.1.0");
    assert(doc.body.paths["/api/v1/events"].post);
  });
});

Deno.test("GET /api/customer-success/health is public and minimal, and answers 503 once the database is lost", async () => {
  await withApi(async (api) => {
    const up = await api.call("GET", "/api/customer-success/health", undefined, {
      authorization: "",
    });
    assertEquals(up.status, 200);
    assertEquals(Object.keys(up.body).sort(), ["checkedAt", "status"]);
    assertEquals(up.body.status, "degraded");
    assertEquals(up.headers.get("cache-control"), "no-store");

    await api.db.close();
    const down = await api.call("GET", "/api/customer-success/health", undefined, {
      authorization: "",
    });
    assertEquals([down.status, down.body.status], [503, "unhealthy"]);
    assertEquals(Object.keys(down.body).sort(), ["checkedAt", "status"]);
  });
});
