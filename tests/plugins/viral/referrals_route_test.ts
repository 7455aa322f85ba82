import { assertEquals, assertMatch } from "../../helpers/assert.ts";
import { withTestDb } from "../../helpers/db.ts";
import { daysAgo } from "../../helpers/fixtures.ts";
import { postReferrals, startViral, withCustomers } from "./viral_helpers.ts";

const iso = (date: Date) => date.toISOString();

Deno.test("viral POST /referrals answers each item: accepted, duplicate or rejected with its field", async () => {
  await withTestDb(async (db) => {
    await withCustomers(db, ["sup_a", "sup_b"]);
    const run = await startViral(db);
    try {
      const response = await postReferrals(run, [
        { id: "ref_1", referrerId: "sup_a", kind: "supplier_invited", occurredAt: iso(daysAgo(5)) },
        {
          id: "ref_2",
          referrerId: "sup_a",
          kind: "form_shared",
          occurredAt: iso(daysAgo(10)),
          outcome: { status: "converted", customerId: "sup_new", at: iso(daysAgo(2)) },
        },
        // The same referral again, as a retried request would send it.
        { id: "ref_1", referrerId: "sup_a", kind: "supplier_invited", occurredAt: iso(daysAgo(5)) },
        { id: "ref_3", referrerId: "sup_ghost", kind: "form_shared", occurredAt: iso(daysAgo(1)) },
        { id: "ref_4", referrerId: "sup_a", kind: "tweet", occurredAt: "yesterday" },
        {
          id: "ref_5",
          referrerId: "sup_b",
          kind: "supplier_invited",
          occurredAt: iso(daysAgo(3)),
          outcome: { status: "converted", customerId: "sup_c", at: iso(daysAgo(4)) },
        },
        { id: "ref_6", referrerId: "sup_b", kind: "form_shared", occurredAt: iso(daysAgo(-1)) },
        42,
      ]);
      assertEquals(response.status, 200);
      const body = await response.json();
      assertEquals(
        { accepted: body.accepted, updated: body.updated, duplicates: body.duplicates },
        { accepted: 2, updated: 0, duplicates: 1 },
      );
      assertEquals(body.rejected, 5);
      const results = body.results as Array<
        { index: number; id: string | null; status: string; errors?: Array<{ path: string }> }
      >;
      assertEquals(results.map((r) => [r.index, r.id, r.status]), [
        [0, "ref_1", "accepted"],
        [1, "ref_2", "accepted"],
        [2, "ref_1", "duplicate"],
        [3, "ref_3", "rejected"],
        [4, "ref_4", "rejected"],
        [5, "ref_5", "rejected"],
        [6, "ref_6", "rejected"],
        [7, null, "rejected"],
      ]);
      const paths = (index: number) => results[index]!.errors!.map((e) => e.path);
      assertEquals(paths(3), ["referrals[3].referrerId"]);
      assertEquals(paths(4), ["referrals[4].kind", "referrals[4].occurredAt"]);
      assertEquals(paths(5), ["referrals[5].outcome.at"]);
      assertEquals(paths(6), ["referrals[6].occurredAt"]);
      assertEquals(paths(7), ["referrals[7]"]);
      assertMatch(
        JSON.stringify(results[3]!.errors),
        /no customer \\"sup_ghost\\": create the customer first/,
      );
      assertMatch(JSON.stringify(results[6]!.errors), /is in the future/);

      const list = await run.request("/referrals?referrerId=sup_a");
      assertEquals(list.status, 200);
      const { referrerId, items } = await list.json();
      assertEquals(referrerId, "sup_a");
      for (const item of items) assertMatch(item.recordedAt, /^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
      assertEquals(items.map(({ recordedAt: _, ...shown }: { recordedAt: string }) => shown), [
        {
          id: "ref_1",
          referrerId: "sup_a",
          kind: "supplier_invited",
          occurredAt: iso(daysAgo(5)),
          outcome: { status: "pending" },
          recordedBy: "token:1 (product)",
        },
        {
          id: "ref_2",
          referrerId: "sup_a",
          kind: "form_shared",
          occurredAt: iso(daysAgo(10)),
          outcome: { status: "converted", customerId: "sup_new", at: iso(daysAgo(2)) },
          recordedBy: "token:1 (product)",
        },
      ]);
    } finally {
      await run.stop();
    }
  });
});

Deno.test("viral POST /referrals takes a later outcome of a stored referral, and refuses an id reused", async () => {
  await withTestDb(async (db) => {
    await withCustomers(db, ["sup_a", "sup_b"]);
    const run = await startViral(db);
    try {
      const invite = {
        id: "ref_1",
        referrerId: "sup_a",
        kind: "supplier_invited",
        occurredAt: iso(daysAgo(20)),
      };
      await postReferrals(run, [invite]);
      const converted = {
        ...invite,
        outcome: { status: "converted", customerId: "sup_b", at: iso(daysAgo(6)) },
      };
      const response = await postReferrals(run, [
        converted,
        // A stale report of the same referral after it converted changes nothing.
        { ...invite, outcome: { status: "pending" } },
        { ...invite, referrerId: "sup_b" },
        { ...converted, outcome: { ...converted.outcome, customerId: "sup_other" } },
      ]);
      const body = await response.json();
      assertEquals(
        body.results.map((r: { status: string; errors?: Array<{ path: string }> }) => [
          r.status,
          r.errors?.map((e) => e.path) ?? [],
        ]),
        [
          ["updated", []],
          ["duplicate", []],
          ["rejected", ["referrals[2].referrerId"]],
          ["rejected", ["referrals[3].outcome"]],
        ],
      );
      assertMatch(body.results[2].errors[0].message, /was recorded with referrerId "sup_a"/);
      assertMatch(body.results[3].errors[0].message, /converted to "sup_b" .* already/);

      const list = await (await run.request("/referrals?referrerId=sup_a")).json();
      assertEquals(list.items[0].outcome, {
        status: "converted",
        customerId: "sup_b",
        at: iso(daysAgo(6)),
      });
    } finally {
      await run.stop();
    }
  });
});

Deno.test("viral POST /referrals refuses a bad envelope whole, as a problem", async () => {
  await withTestDb(async (db) => {
    await withCustomers(db, ["sup_a"]);
    const run = await startViral(db);
    try {
      const empty = await postReferrals(run, []);
      assertEquals(empty.status, 400);
      assertEquals(empty.headers.get("content-type"), "application/problem+json");
      const problem = await empty.json();
      assertEquals(problem.code, "VALIDATION_FAILED");
      assertEquals(problem.errors, [{
        path: "referrals",
        message: "must hold at least one referral",
      }]);

      const tooMany = await postReferrals(run, Array.from({ length: 1_001 }, () => ({})));
      assertEquals(tooMany.status, 400);
      assertMatch((await tooMany.json()).detail, /at most 1000 referrals/);

      const malformed = await run.request("/referrals", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"referrals": [',
      });
      assertEquals(malformed.status, 400);
      assertEquals((await malformed.json()).code, "MALFORMED_JSON");

      const text = await run.request("/referrals", { method: "POST", body: "ref_1" });
      assertEquals(text.status, 415);

      const unknownRoute = await run.request("/nothing");
      assertEquals(unknownRoute.status, 404);
      assertEquals((await unknownRoute.json()).code, "ROUTE_NOT_FOUND");
    } finally {
      await run.stop();
    }
  });
});

Deno.test("viral routes need a caller; only admins and success managers record referrals", async () => {
  await withTestDb(async (db) => {
    await withCustomers(db, ["sup_a"]);
    const run = await startViral(db);
    try {
      const referral = {
        id: "ref_1",
        referrerId: "sup_a",
        kind: "form_shared",
        occurredAt: iso(daysAgo(1)),
      };
      const anonymous = await postReferrals(run, [referral], null);
      assertEquals(anonymous.status, 401);
      assertEquals(
        anonymous.headers.get("www-authenticate"),
        'Bearer realm="customer-success-engine"',
      );
      assertEquals((await anonymous.json()).code, "UNAUTHENTICATED");
      const anonymousList = await run.request("/referrals?referrerId=sup_a", { actor: null });
      assertEquals(anonymousList.status, 401);
      await anonymousList.body?.cancel();

      const analyst = { id: "token:7 (ana)", role: "success-analyst" };
      const forbidden = await postReferrals(run, [referral], analyst);
      assertEquals(forbidden.status, 403);
      const problem = await forbidden.json();
      assertEquals(problem.code, "FORBIDDEN");
      assertMatch(
        problem.detail,
        /needs the role admin or success-manager; token:7 \(ana\) is success-analyst/,
      );
      const nothing = await run.request("/referrals?referrerId=sup_a", { actor: analyst });
      assertEquals(nothing.status, 200);
      assertEquals((await nothing.json()).items, []);

      const manager = { id: "token:8 (mia)", role: "success-manager" };
      const recorded = await postReferrals(run, [referral], manager);
      assertEquals(recorded.status, 200);
      assertEquals((await recorded.json()).accepted, 1);
      const listed = await run.request("/referrals?referrerId=sup_a", { actor: analyst });
      assertEquals((await listed.json()).items[0].recordedBy, "token:8 (mia)");

      const unknown = await run.request("/referrals?referrerId=sup_ghost");
      assertEquals(unknown.status, 404);
      assertEquals((await unknown.json()).code, "CUSTOMER_NOT_FOUND");
      const noReferrer = await run.request("/referrals");
      assertEquals(noReferrer.status, 400);
      assertEquals((await noReferrer.json()).errors[0].path, "referrerId");
    } finally {
      await run.stop();
    }
  });
});

Deno.test("viral POST /referrals: requests racing with one new referral store it once", async () => {
  await withTestDb(async (db) => {
    await withCustomers(db, ["sup_a"]);
    const run = await startViral(db);
    try {
      const referral = {
        id: "ref_race",
        referrerId: "sup_a",
        kind: "form_shared",
        occurredAt: iso(daysAgo(1)),
      };
      const answers = await Promise.all(
        [1, 2, 3].map(async () => (await (await postReferrals(run, [referral])).json()).results[0]),
      );
      assertEquals(answers.map((a: { status: string }) => a.status).sort(), [
        "accepted",
        "duplicate",
        "duplicate",
      ]);
      const list = await (await run.request("/referrals?referrerId=sup_a")).json();
      assertEquals(list.items.length, 1);
    } finally {
      await run.stop();
    }
  });
});
