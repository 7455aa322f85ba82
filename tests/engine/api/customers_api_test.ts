import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
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
    assertEquals(milestones.body.nextCursor, null);

    // Paged two at a time, by milestone key, as every list.
    const keys: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const query: string = cursor === "" ? "limit=2" : `limit=2&cursor=${cursor}`;
      const page = await api.call("GET", `/api/v1/customers/sup_7/milestones?${query}`);
      assertEquals(page.status, 200);
      keys.push(...page.body.items.map((m: { key: string }) => m.key));
      cursor = page.body.nextCursor;
    }
    assertEquals(keys, milestones.body.items.map((m: { key: string }) => m.key));
    const catalogPage = await api.call("GET", "/api/v1/milestones?limit=4");
    assertEquals([catalogPage.body.items.length, catalogPage.body.nextCursor], [
      4,
      "first_payment_received",
    ]);
    const rest = await api.call("GET", "/api/v1/milestones?limit=4&cursor=first_payment_received");
    assertEquals(rest.body.items.map((m: { key: string }) => m.key), ["five_clients_added"]);
    assertEquals(rest.body.nextCursor, null);
    const foreign = await api.call("GET", "/api/v1/milestones?cursor=WyJpZCJd");
    assertEquals([foreign.status, foreign.body.errors[0].path], [400, "query.cursor"]);
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

Deno.test("the customer list sorts by at-risk score, filters, and pages through ties", async () => {
  await withApi(async (api) => {
    await api.call("POST", "/api/v1/customers/batch", {
      customers: [
        { id: "sup_a", ...fields("sup_a"), name: "Ática Flores", mrr: 30 },
        { id: "sup_b", ...fields("sup_b"), mrr: 90 },
        { id: "sup_c", ...fields("sup_c"), mrr: 30, churnedAt: "2026-06-01T00:00:00Z" },
        { id: "sup_d", ...fields("sup_d"), mrr: 30 },
      ],
    });
    const at = (score: number, atRisk: number) => [score, atRisk];
    const scores: Record<string, number[]> = {
      sup_a: at(80, 10),
      sup_b: at(20, 70),
      sup_c: at(50, 40),
    };
    for (const [id, [score, atRisk]] of Object.entries(scores)) {
      await api.db.query(
        `insert into customer_health_latest
           (customer_id, health_id, score, at_risk_score, components, at_risk_factors,
            model_version, scored_at)
         values ($1, 1, $2, $3, '{}', '{}', '1.0.0', $4)`,
        [id, score, atRisk, NOW],
      );
    }
    const ids = (body: { items: Array<{ id: string }> }) => body.items.map((c) => c.id);
    const risky = await api.call("GET", "/api/v1/customers?sort=-atRiskScore&status=active");
    assertEquals(ids(risky.body), ["sup_b", "sup_a", "sup_d"], "unscored sorts last");
    assertEquals(risky.body.items[0].health, {
      score: 20,
      atRiskScore: 70,
      scoredAt: NOW.toISOString(),
    });
    assertEquals(risky.body.items[2].health, null);

    const walk = async (query: string) => {
      const seen: string[] = [];
      let cursor = "";
      do {
        const page = await api.call("GET", `/api/v1/customers?${query}&limit=1${cursor}`);
        seen.push(...ids(page.body));
        cursor = page.body.nextCursor ? `&cursor=${page.body.nextCursor}` : "";
      } while (cursor);
      return seen;
    };
    // Three customers share mrr 30: pages of one walk through the tie by id.
    assertEquals(await walk("sort=mrr"), ["sup_a", "sup_c", "sup_d", "sup_b"]);

    // Walking pages of one, both ways, gives the order of one big page.
    for (const sort of ["signupDate", "-signupDate"]) {
      const all = ids((await api.call("GET", `/api/v1/customers?sort=${sort}`)).body);
      assertEquals(await walk(`sort=${sort}`), all);
    }
    const healthy = await api.call("GET", "/api/v1/customers?minHealthScore=50&sort=-healthScore");
    assertEquals(ids(healthy.body), ["sup_a", "sup_c"]);
    const churned = await api.call("GET", "/api/v1/customers?status=churned");
    assertEquals(ids(churned.body), ["sup_c"]);

    const firstByDate = await api.call("GET", "/api/v1/customers?sort=-signupDate&limit=1");
    const wrongSort = await api.call(
      "GET",
      `/api/v1/customers?sort=mrr&cursor=${firstByDate.body.nextCursor}`,
    );
    assertEquals([wrongSort.status, wrongSort.body.errors[0].path], [400, "query.cursor"]);
    const forged = btoa(JSON.stringify(["mrr", "1; drop table customers", "x"]));
    const bad = await api.call("GET", `/api/v1/customers?sort=mrr&cursor=${forged}`);
    assertEquals([bad.status, bad.body.errors[0].path], [400, "query.cursor"]);
    // Names are stored encrypted: the database cannot order by them.
    for (const sort of ["health", "name"]) {
      const badSort = await api.call("GET", `/api/v1/customers?sort=${sort}`);
      assertEquals([badSort.status, badSort.body.errors[0].path], [400, "query.sort"]);
    }
  });
});

Deno.test("PUT with If-Match refuses to overwrite a change made since the read (412)", async () => {
  await withApi(async (api) => {
    await api.call("PUT", "/api/v1/customers/sup_e", fields("sup_e"));
    const read = await api.call("GET", "/api/v1/customers/sup_e");
    const etag = read.headers.get("etag")!;
    assertMatch(etag, /^"[0-9a-f]{32}"$/);

    const first = await api.call("PUT", "/api/v1/customers/sup_e", fields("sup_e", { mrr: 120 }), {
      authorization: `Bearer ${api.tokens.admin}`,
      "if-match": etag,
    });
    assertEquals(first.status, 200);
    const newEtag = first.headers.get("etag")!;
    assert(newEtag !== etag, "the ETag changes with the customer");

    const stale = await api.call("PUT", "/api/v1/customers/sup_e", fields("sup_e", { mrr: 5 }), {
      authorization: `Bearer ${api.tokens.admin}`,
      "if-match": etag,
    });
    assertEquals([stale.status, stale.body.code], [412, "ETAG_MISMATCH"]);
    assertEquals(stale.headers.get("etag"), newEtag);
    assertEquals((await api.call("GET", "/api/v1/customers/sup_e")).body.mrr, 120, "nothing lost");

    const missing = await api.call("PUT", "/api/v1/customers/sup_new", fields("sup_new"), {
      authorization: `Bearer ${api.tokens.admin}`,
      "if-match": "*",
    });
    assertEquals(missing.status, 412);
    assertEquals((await api.call("GET", "/api/v1/customers/sup_new")).status, 404);
  });
});
