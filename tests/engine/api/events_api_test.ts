import { assert, assertEquals } from "../../helpers/assert.ts";
import { type ApiTest, withApi } from "../../helpers/api.ts";
import { customer, daysAgo, NOW } from "../../helpers/fixtures.ts";

async function storedEvents(api: ApiTest): Promise<number> {
  const [row] = await api.db.query<{ n: number }>("select count(*)::int as n from usage_events");
  return row!.n;
}

async function withCustomer(fn: (api: ApiTest) => Promise<void>, env?: Record<string, string>) {
  await withApi(async (api) => {
    const { id: _id, ...fields } = customer("sup_1");
    assertEquals((await api.call("PUT", "/api/v1/customers/sup_1", fields)).status, 201);
    await fn(api);
  }, env ? { env } : {});
}

const login = (id: string, at = daysAgo(1)) => ({
  id,
  customerId: "sup_1",
  type: "login",
  occurredAt: at.toISOString(),
});

Deno.test("POST /api/v1/events stores a batch and reports duplicates by id", async () => {
  await withCustomer(async (api) => {
    const first = await api.call("POST", "/api/v1/events", {
      events: [login("a"), login("b"), {
        ...login("c"),
        type: "brand_new.signal",
        properties: { x: 1 },
      }],
    });
    assertEquals(first.status, 200);
    assertEquals(first.body, {
      accepted: 3,
      duplicates: 0,
      duplicateIds: [],
      milestonesAchieved: 0,
    });
    const again = await api.call("POST", "/api/v1/events", { events: [login("a"), login("d")] });
    assertEquals(again.body, {
      accepted: 1,
      duplicates: 1,
      duplicateIds: ["a"],
      milestonesAchieved: 0,
    });
    assertEquals(await storedEvents(api), 4);
  });
});

Deno.test("POST /api/v1/events names each bad item by index and field and stores nothing", async () => {
  await withCustomer(async (api) => {
    const response = await api.call("POST", "/api/v1/events", {
      events: [
        login("ok"),
        { ...login("x"), occurredAt: "yesterday" },
        { ...login("y"), type: "feature_used" },
        { ...login("z"), colour: "blue" },
        { ...login("w"), type: "Not A Type" },
      ],
    });
    assertEquals(response.status, 400);
    assertEquals(response.headers.get("content-type"), "application/problem+json");
    assertEquals(response.body.code, "VALIDATION_FAILED");
    assertEquals(response.body.type, "urn:cs-engine:problem:validation-failed");
    assertEquals(response.body.errors.map((e: { path: string }) => e.path), [
      "events[1].occurredAt",
      "events[2].properties.feature",
      "events[3]",
      "events[4].type",
    ]);
    assert(response.body.errors[2].message.includes('"colour"'));
    assertEquals(await storedEvents(api), 0);
  });
});

Deno.test("POST /api/v1/events refuses an oversized batch, future times and unknown customers", async () => {
  await withCustomer(async (api) => {
    const tooMany = Array.from({ length: 1001 }, (_, i) => login(`e${i}`));
    const big = await api.call("POST", "/api/v1/events", { events: tooMany });
    assertEquals(big.status, 400);
    assertEquals(big.body.errors[0].path, "events");
    assert(big.body.errors[0].message.includes("at most 1000"));

    const future = await api.call("POST", "/api/v1/events", {
      events: [login("f1"), login("f2", new Date(NOW.getTime() + 3_600_000))],
    });
    assertEquals(future.status, 422);
    assertEquals(future.body.code, "EVENT_TIME_OUT_OF_RANGE");
    assertEquals(future.body.errors[0].path, "events[1].occurredAt");

    const unknown = await api.call("POST", "/api/v1/events", {
      events: [login("u1"), { ...login("u2"), customerId: "sup_404" }],
    });
    assertEquals(unknown.status, 422);
    assertEquals(unknown.body.code, "UNKNOWN_CUSTOMER");
    assertEquals(unknown.body.errors, [{
      path: "events[1].customerId",
      message: 'no customer "sup_404"; create it first with PUT /api/v1/customers/sup_404',
    }]);
    assertEquals(await storedEvents(api), 0);
  });
});

Deno.test("POST /api/v1/events answers malformed JSON, wrong content types and huge bodies with 4xx problems", async () => {
  await withCustomer(async (api) => {
    const malformed = await api.call("POST", "/api/v1/events", "{not json", {
      "content-type": "application/json",
    });
    assertEquals([malformed.status, malformed.body.code], [400, "MALFORMED_JSON"]);
    const text = await api.call("POST", "/api/v1/events", "events=1", {
      "content-type": "text/plain",
    });
    assertEquals([text.status, text.body.code], [415, "UNSUPPORTED_MEDIA_TYPE"]);
    const huge = await api.call("POST", "/api/v1/events", {
      events: [{ ...login("h"), properties: { note: "x".repeat(3_000) } }],
    });
    assertEquals([huge.status, huge.body.code], [413, "PAYLOAD_TOO_LARGE"]);
    assertEquals(await storedEvents(api), 0);
  }, { REQUEST_BODY_LIMIT_BYTES: "2000" });
});

Deno.test("unknown routes get 404 and wrong methods 405 with Allow, as problems", async () => {
  await withApi(async (api) => {
    const missing = await api.call("GET", "/api/v1/nothing-here");
    assertEquals([missing.status, missing.body.code], [404, "ROUTE_NOT_FOUND"]);
    const wrong = await api.call("DELETE", "/api/v1/events");
    assertEquals([wrong.status, wrong.body.code], [405, "METHOD_NOT_ALLOWED"]);
    assertEquals(wrong.headers.get("allow"), "POST");
    assert(wrong.headers.get("x-request-id"));
  });
});
