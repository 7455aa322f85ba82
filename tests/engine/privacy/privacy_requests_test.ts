/** POST /api/privacy/request and following a request: recorded, refused, listed, overdue. */
import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";
import { loadConfig } from "../../../engine/config.ts";
import { DAY_MS } from "../../../engine/clock.ts";
import { silentLogger } from "../../../engine/log.ts";
import { noPersonalDataHolders, runScheduledPrivacyRequests } from "../../../engine/privacy/mod.ts";
import {
  createEngineMetrics,
  privacyRequestsCheck,
  watchPrivacyRequests,
} from "../../../engine/ops/mod.ts";
import { upsertCustomers } from "../../../engine/signals/mod.ts";
import { customer, NOW } from "../../helpers/fixtures.ts";
import { ask, asked, processAt } from "./privacy_helpers.ts";

Deno.test("POST /api/privacy/request - records a pending request due in 30 days", async () => {
  await withApi(async (api) => {
    await upsertCustomers(api.db, [customer("sup_1")], { now: NOW });
    const response = await ask(api, "access", "sup_1");
    assertEquals(response.status, 202);
    const request = response.body;
    assertEquals(response.headers.get("location"), `/api/privacy/requests/${request.id}`);
    assertEquals(
      [request.type, request.status, request.customerId, request.overdue],
      ["access", "pending", "sup_1", false],
    );
    assertEquals(request.requestedAt, NOW.toISOString());
    assertEquals(request.dueAt, new Date(NOW.getTime() + 30 * DAY_MS).toISOString());
    assertMatch(request.customerDigest, /^[0-9a-f]{64}$/);

    // customerId is accepted as well as the seed's supplierId.
    const byCustomerId = await api.call("POST", "/api/privacy/request", {
      customerId: "sup_1",
      type: "portability",
    });
    assertEquals(byCustomerId.status, 202);
    const listed = await api.call("GET", "/api/privacy/requests?status=pending");
    assertEquals(listed.body.items.map((r: { id: number }) => r.id), [
      byCustomerId.body.id,
      request.id,
    ]);
    const one = await api.call("GET", `/api/privacy/requests/${request.id}`);
    assertEquals(one.body, request);
  });
});

Deno.test("POST /api/privacy/request - an unknown customer, a missing one and a bad type are refused", async () => {
  await withApi(async (api) => {
    const unknown = await ask(api, "access", "sup_nobody");
    assertEquals([unknown.status, unknown.body.code], [404, "CUSTOMER_NOT_FOUND"]);
    assertMatch(unknown.body.detail, /No customer "sup_nobody": create it with PUT/);
    const missing = await api.call("POST", "/api/privacy/request", { type: "access" });
    assertEquals(missing.status, 400);
    assertMatch(JSON.stringify(missing.body.errors), /supplierId/);
    await upsertCustomers(api.db, [customer("sup_1")], { now: NOW });
    const badType = await ask(api, "rectification", "sup_1");
    assertEquals(badType.status, 400);
    assertEquals((await api.call("GET", "/api/privacy/requests")).body.items, []);
  });
});

Deno.test("POST /api/privacy/request - a duplicate of an open request is refused, naming it", async () => {
  await withApi(async (api) => {
    await upsertCustomers(api.db, [customer("sup_1")], { now: NOW });
    const first = await asked(api, "deletion", "sup_1");
    const again = await ask(api, "deletion", "sup_1");
    assertEquals([again.status, again.body.code], [409, "PRIVACY_REQUEST_DUPLICATE"]);
    assertMatch(again.body.detail, new RegExp(`deletion request ${first.id} \\(pending\\)`));
    // Another type is another request.
    assertEquals((await ask(api, "access", "sup_1")).status, 202);
  });
});

Deno.test("POST /api/privacy/request - only admins may ask (manage:privacy)", async () => {
  await withApi(async (api) => {
    await upsertCustomers(api.db, [customer("sup_1")], { now: NOW });
    for (const role of ["success-manager", "success-analyst"] as const) {
      const refused = await api.call(
        "POST",
        "/api/privacy/request",
        { supplierId: "sup_1", type: "deletion" },
        { authorization: `Bearer ${api.tokens[role]}` },
      );
      assertEquals([refused.status, refused.body.code], [403, "FORBIDDEN"]);
      const list = await api.call("GET", "/api/privacy/requests", undefined, {
        authorization: `Bearer ${api.tokens[role]}`,
      });
      assertEquals(list.status, 403);
    }
  });
});

Deno.test("GET /api/privacy/requests/{id} - an unknown request is 404", async () => {
  await withApi(async (api) => {
    const response = await api.call("GET", "/api/privacy/requests/99");
    assertEquals([response.status, response.body.code], [404, "PRIVACY_REQUEST_NOT_FOUND"]);
  });
});

Deno.test("privacy-requests check - degraded when a request is past its due date", async () => {
  await withApi(async (api) => {
    await upsertCustomers(api.db, [customer("sup_1")], { now: NOW });
    const request = await asked(api, "access", "sup_1");
    const check = privacyRequestsCheck(api.db, loadConfig({}));
    const signal = new AbortController().signal;
    const inTime = await check.run({ now: new Date(NOW.getTime() + 29 * DAY_MS), signal });
    assertEquals(inTime.status, "healthy");
    const late = await check.run({ now: new Date(NOW.getTime() + 31 * DAY_MS), signal });
    assertEquals(late.status, "degraded");
    assertMatch(late.message, new RegExp(`1 privacy request\\(s\\) are past their due date`));
    assertEquals(late.details?.oldestOverdueDueAt, request.dueAt);
    const listed = await api.call("GET", `/api/privacy/requests/${request.id}`);
    assertEquals(listed.body.overdue, false); // The API's clock is NOW.
  });
});

Deno.test("runScheduledPrivacyRequests() - one engine per tick processes the requests, oldest first", async () => {
  await withApi(async (api) => {
    await upsertCustomers(api.db, [customer("sup_1"), customer("sup_2")], { now: NOW });
    const first = await asked(api, "access", "sup_2");
    const second = await asked(api, "access", "sup_1");
    const deps = {
      db: api.db,
      config: loadConfig({}),
      clock: { now: () => NOW },
      log: silentLogger,
      holders: noPersonalDataHolders,
    };
    const processed = await runScheduledPrivacyRequests(deps, NOW);
    assertEquals(processed?.map((r) => [r.id, r.status]), [
      [first.id, "completed"],
      [second.id, "completed"],
    ]);
    assertEquals(await runScheduledPrivacyRequests(deps, NOW), null);
    assert(processed![0]!.expiresAt !== null);
  });
});

Deno.test("processPrivacyRequests() - nothing pending is nothing to do", async () => {
  await withApi(async (api) => {
    assertEquals(await processAt(api), []);
  });
});

Deno.test("cs_privacy_requests_overdue counts open requests past their due date, by type", async () => {
  await withApi(async (api) => {
    await upsertCustomers(api.db, [customer("sup_1")], { now: NOW });
    await asked(api, "deletion", "sup_1");
    const metrics = createEngineMetrics();
    let now = NOW;
    watchPrivacyRequests(metrics, api.db, { now: () => now });
    assertMatch(
      await metrics.registry.render(),
      /^cs_privacy_requests_overdue\{type="deletion"\} 0$/m,
    );
    now = new Date(NOW.getTime() + 31 * DAY_MS);
    const text = await metrics.registry.render();
    assertMatch(text, /^cs_privacy_requests_overdue\{type="deletion"\} 1$/m);
    assertMatch(text, /^cs_privacy_requests_overdue\{type="access"\} 0$/m);
  });
});
