import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import {
  addCustomers,
  assign,
  type Client,
  type OfflineTest,
  syncAll,
  withOffline,
} from "./helpers.ts";
import { backend } from "../../helpers/db.ts";
import { ingestEvents } from "../../../engine/signals/mod.ts";
import { NOW, usageEvent } from "../../helpers/fixtures.ts";

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(NOW.getTime() + ms).toISOString();

/** Pushes `items` as `as` (an admin when not given), sent at `sentAt` on the client's clock. */
async function push(
  test: OfflineTest,
  items: unknown[],
  options: { as?: Client; sentAt?: string } = {},
) {
  return await test.call("POST", "/plugins/offline/push", {
    ...(options.as ? { as: options.as } : {}),
    body: { client: { id: "ipad-7", sentAt: options.sentAt ?? NOW.toISOString() }, items },
  });
}

function login(key: string, customerId = "sup_1", at = iso(-HOUR)) {
  return { key, kind: "usage", at, customerId, type: "login" };
}

async function versionOf(test: OfflineTest, id: string): Promise<string> {
  const answer = await test.call("GET", `/api/v1/customers/${id}`);
  return answer.headers.get("etag")!;
}

async function storedEvents(test: OfflineTest): Promise<Array<{ id: string; at: string }>> {
  return (await test.db.query<{ event_id: string; occurred_at: Date }>(
    "select event_id, occurred_at from usage_events order by event_id",
  )).map((r) => ({ id: r.event_id, at: r.occurred_at.toISOString() }));
}

Deno.test("POST /plugins/offline/push - usage events are ingested once; the batch again gets the original answers", async () => {
  await withOffline(async (test) => {
    await addCustomers(test.db, ["sup_1", "sup_2"]);
    const items = [
      {
        key: "evt-1",
        kind: "usage",
        at: iso(-HOUR),
        customerId: "sup_1",
        type: "client_added",
        userId: "usr_8",
        properties: { clientId: "cpl_1" },
      },
      login("evt-2", "sup_2"),
    ];
    const first = await push(test, items);
    assertEquals(first.status, 200);
    assertEquals(
      first.body.items.map((
        a: Record<string, unknown>,
      ) => [a.index, a.key, a.status, a.occurredAt]),
      [[0, "evt-1", "accepted", iso(-HOUR)], [1, "evt-2", "accepted", iso(-HOUR)]],
    );
    assertEquals(
      [first.body.accepted, first.body.duplicates, first.body.milestonesAchieved],
      [2, 0, 1],
    );
    assertEquals(await storedEvents(test), [
      { id: "evt-1", at: iso(-HOUR) },
      { id: "evt-2", at: iso(-HOUR) },
    ]);

    // The response was lost; the client sends the same batch again.
    const again = await push(test, items);
    assertEquals(again.body.items.map((a: Record<string, unknown>) => a.status), [
      "duplicate",
      "duplicate",
    ]);
    assertEquals(again.body.items[0].original, {
      status: "accepted",
      kind: "usage",
      occurredAt: iso(-HOUR),
      answeredAt: NOW.toISOString(),
    });
    assertEquals([again.body.accepted, again.body.milestonesAchieved], [0, 0]);
    assertEquals((await storedEvents(test)).length, 2);

    // The milestone the event reached is in the feed.
    const admin = await test.client("admin");
    const feed = await syncAll(test, admin, null);
    const sup1 = feed.changes.find((c) =>
      c.kind === "customer" && c.snapshot.customer.id === "sup_1"
    );
    assert(sup1?.kind === "customer");
    assertEquals(
      sup1.snapshot.milestones.find((m) => m.key === "first_client_added")?.achieved,
      true,
    );
  });
});

Deno.test("POST /plugins/offline/push - repeated keys in a batch, reused keys and ids stored elsewhere are answered per item", async () => {
  await withOffline(async (test) => {
    await addCustomers(test.db, ["sup_1"]);
    await ingestEvents(test.db, [
      usageEvent("sup_1", "login", new Date(NOW.getTime() - HOUR), {}, "api-1"),
    ], {
      now: NOW,
      limits: { futureToleranceSeconds: 300, retentionDays: 730 },
    });
    const analyst = await test.client("success-analyst");
    await assign(test, analyst, ["sup_1"]);
    assertEquals((await push(test, [login("shared-1")], { as: analyst })).body.accepted, 1);

    const answer = await push(test, [
      login("k-1"),
      login("k-1"),
      { ...login("k-1"), type: "profile_completed" },
      login("api-1"),
      login("shared-1"),
    ]);
    const [first, repeat, reused, elsewhere, others] = answer.body.items;
    assertEquals(first.status, "accepted");
    assertEquals([repeat.status, repeat.original.status], ["duplicate", "accepted"]);
    assertEquals(reused.status, "rejected");
    assertEquals(reused.errors[0].path, "items[2].key");
    assertMatch(reused.errors[0].message, /also the key of items\[0\], a different item/);
    assertEquals([elsewhere.status, elsewhere.original], ["duplicate", null]);
    assertMatch(elsewhere.message, /stored before, not by an offline push/);
    assertEquals([others.status, others.errors[0].path], ["rejected", "items[4].key"]);
    assertMatch(others.errors[0].message, /used by another caller/);
    assertEquals(
      [answer.body.accepted, answer.body.duplicates, answer.body.rejected],
      [1, 2, 2],
    );
    assertEquals((await storedEvents(test)).map((e) => e.id), ["api-1", "k-1", "shared-1"]);

    // A key used before for other content is refused, and the first answer stands.
    const changed = await push(test, [{ ...login("k-1"), at: iso(-2 * HOUR) }]);
    assertEquals(changed.body.items[0].status, "rejected");
    assertMatch(
      changed.body.items[0].errors[0].message,
      /for a different item \(answered accepted\)/,
    );
  });
});

Deno.test("POST /plugins/offline/push - a customer change applies on the version it was made on, and conflicts on any other", async () => {
  await withOffline(async (test) => {
    await addCustomers(test.db, ["sup_1"]);
    const v0 = await versionOf(test, "sup_1");
    const change = (key: string, base: string, set: Record<string, unknown>) => ({
      key,
      kind: "customer",
      at: iso(-HOUR),
      customerId: "sup_1",
      baseVersion: base,
      set,
    });

    // Two edits queued on one version build on each other.
    const applied = await push(test, [
      change("c-1", v0, { plan: "premium" }),
      change("c-2", v0, { mrr: 99, attributes: { region: "north" } }),
    ]);
    assertEquals(applied.body.items.map((a: Record<string, unknown>) => a.status), [
      "accepted",
      "accepted",
    ]);
    const v1 = await versionOf(test, "sup_1");
    assertEquals(applied.body.items[1].current.version, v1);
    assertEquals(
      [
        applied.body.items[1].current.customer.plan,
        applied.body.items[1].current.customer.mrr,
        applied.body.items[1].current.customer.attributes,
      ],
      ["premium", 99, { region: "north" }],
    );

    // Another client still on v0: nothing applied, the server's customer to merge with.
    const stale = await push(test, [change("c-3", v0, { name: "Petal & Stem" })]);
    const conflict = stale.body.items[0];
    assertEquals([conflict.status, conflict.current.version], ["conflict", v1]);
    assertEquals(conflict.current.customer.plan, "premium");
    assertEquals(stale.body.conflicts, 1);
    assertEquals((await test.call("GET", "/api/v1/customers/sup_1")).body.name, "Supplier sup_1");

    // Merged and pushed again on v1 (a new key), it applies; the answer repeats on a retry.
    const merged = await push(test, [change("c-4", v1, { name: "Petal & Stem" })]);
    assertEquals(merged.body.items[0].status, "accepted");
    const retry = await push(test, [change("c-3", v0, { name: "Petal & Stem" })]);
    assertEquals([retry.body.items[0].status, retry.body.items[0].original.status], [
      "duplicate",
      "conflict",
    ]);
    // The remembered answers hold the customer encrypted (docs/privacy.md).
    const receipts = await test.db.query<{ answer: string }>(
      "select answer::text as answer from offline_push_receipts",
    );
    assertEquals(receipts.length, 4);
    assert(receipts.every((r) => !r.answer.includes("Petal") && !r.answer.includes("Supplier")));

    // A change made through the API meanwhile is a conflict too.
    const v2 = await versionOf(test, "sup_1");
    const { id: _id, ...fields } = (await test.call("GET", "/api/v1/customers/sup_1")).body;
    const { createdAt: _c, updatedAt: _u, ...input } = fields;
    const put = await test.call("PUT", "/api/v1/customers/sup_1", {
      body: { ...input, plan: "starter" },
    });
    assertEquals(put.status, 200);
    const late = await push(test, [change("c-5", v2, { mrr: 10 })]);
    assertEquals([late.body.items[0].status, late.body.items[0].current.customer.plan], [
      "conflict",
      "starter",
    ]);

    // The feed carries each applied change as customer.updated, with the customer as it is now.
    const admin = await test.client("admin");
    const feed = await syncAll(test, admin, null);
    const snapshot = feed.changes[0]!;
    assert(snapshot.kind === "customer");
    assertEquals(
      [snapshot.snapshot.customer.name, snapshot.snapshot.customer.plan, snapshot.snapshot.version],
      ["Petal & Stem", "starter", await versionOf(test, "sup_1")],
    );
  });
});

Deno.test("POST /plugins/offline/push - a bad item is rejected with the path of each bad field; the others go on", async () => {
  await withOffline(async (test) => {
    await addCustomers(test.db, ["sup_1"]);
    const v0 = await versionOf(test, "sup_1");
    const answer = await push(test, [
      "not an item",
      { key: "b-1", kind: "note" },
      { kind: "usage", at: iso(-HOUR), customerId: "sup_1", type: "login" },
      { ...login("b-3"), type: "feature_used" },
      { ...login("b-4"), at: "yesterday" },
      {
        key: "b-5",
        kind: "customer",
        at: iso(-HOUR),
        customerId: "sup_1",
        baseVersion: v0,
        set: { plan: "Not A Plan", colour: "red", externalId: "crm-1" },
      },
      {
        key: "b-6",
        kind: "customer",
        at: iso(-HOUR),
        customerId: "sup_1",
        baseVersion: v0,
        set: {},
      },
      login("b-7", "sup_404"),
      login("b-8"),
    ]);
    assertEquals(answer.status, 200);
    const paths = answer.body.items.map((a: { status: string; errors?: { path: string }[] }) =>
      a.status === "rejected" ? a.errors!.map((e) => e.path) : a.status
    );
    assertEquals(paths, [
      ["items[0]"],
      ["items[1].kind"],
      ["items[2].key"],
      ["items[3].properties.feature"],
      ["items[4].at"],
      ["items[5].set.plan", "items[5].set.colour", "items[5].set.externalId"],
      ["items[6].set"],
      ["items[7].customerId"],
      "accepted",
    ]);
    const [, , noKey, noFeature, , fields] = answer.body.items;
    assertEquals(noKey.key, null);
    assertMatch(noFeature.errors[0].message, /required by event type feature_used/);
    assertMatch(fields.errors[2].message, /cannot be changed offline/);
    assertMatch(answer.body.items[7].errors[0].message, /no customer "sup_404"/);
    assertEquals((await storedEvents(test)).map((e) => e.id), ["b-8"]);
    assertEquals((await test.call("GET", "/api/v1/customers/sup_1")).body.plan, "professional");

    // A rejection is final too: the same item again is a duplicate of it.
    const again = await push(test, [{ ...login("b-3"), type: "feature_used" }]);
    assertEquals([again.body.items[0].status, again.body.items[0].original.status], [
      "duplicate",
      "rejected",
    ]);
  });
});

Deno.test("POST /plugins/offline/push - a body that is not a batch is refused whole", async () => {
  await withOffline(async (test) => {
    await addCustomers(test.db, ["sup_1"]);
    const empty = await test.call("POST", "/plugins/offline/push", { body: { items: [] } });
    assertEquals([empty.status, empty.body.code], [400, "VALIDATION_FAILED"]);
    assertEquals(empty.body.errors.map((e: { path: string }) => e.path), ["client", "items"]);

    const tooMany = await push(test, Array.from({ length: 6 }, (_, i) => login(`m-${i}`)));
    assertEquals([tooMany.status, tooMany.body.errors[0].path], [400, "items"]);
    assertMatch(tooMany.body.errors[0].message, /at most 5 items/);

    const skewless = await test.call("POST", "/plugins/offline/push", {
      body: { client: { id: "ipad-7", sentAt: "now" }, items: [login("s-1")] },
    });
    assertEquals([skewless.status, skewless.body.errors[0].path], [400, "client.sentAt"]);

    const text = await test.api.call("POST", "/plugins/offline/push", "{", {
      "content-type": "application/json",
    });
    assertEquals([text.status, text.body.code], [400, "MALFORMED_JSON"]);
    const plain = await test.api.call("POST", "/plugins/offline/push", "hello", {
      "content-type": "text/plain",
    });
    assertEquals([plain.status, plain.body.code], [415, "UNSUPPORTED_MEDIA_TYPE"]);
    assertEquals(await storedEvents(test), []);
  }, { env: { EVENT_BATCH_LIMIT: "5" } });
});

Deno.test("POST /plugins/offline/push - a client's wrong clock is corrected by its sentAt; impossible and too old times are refused", async () => {
  await withOffline(async (test) => {
    await addCustomers(test.db, ["sup_1"]);
    // The device's clock is 3 hours slow: what happened 10 minutes ago reads 3 h 10 min ago.
    const slow = await push(test, [login("slow-1", "sup_1", iso(-3 * HOUR - 10 * 60_000))], {
      sentAt: iso(-3 * HOUR),
    });
    assertEquals(slow.body.clock, {
      serverTime: NOW.toISOString(),
      sentAt: iso(-3 * HOUR),
      offsetMs: 3 * HOUR,
      corrected: true,
    });
    assertEquals(slow.body.items[0].occurredAt, iso(-10 * 60_000));

    // Two days fast: an hour ago reads as two days less an hour ahead.
    const fast = await push(test, [login("fast-1", "sup_1", iso(48 * HOUR - HOUR))], {
      sentAt: iso(48 * HOUR),
    });
    assertEquals(fast.body.items[0].occurredAt, iso(-HOUR));

    // A minute off is within the tolerance (EVENT_FUTURE_TOLERANCE_SECONDS): times as sent.
    const near = await push(test, [login("near-1", "sup_1", iso(-6 * 60_000))], {
      sentAt: iso(-60_000),
    });
    assertEquals([near.body.clock.corrected, near.body.items[0].occurredAt], [
      false,
      iso(-6 * 60_000),
    ]);

    const refused = await push(test, [
      login("later-1", "sup_1", iso(HOUR)),
      login("old-1", "sup_1", iso(-800 * 24 * HOUR)),
    ]);
    const [later, old] = refused.body.items;
    assertEquals([later.status, later.errors[0].path], ["rejected", "items[0].at"]);
    assertMatch(
      later.errors[0].message,
      /3600 s after the batch arrived.*cannot happen after it was sent/,
    );
    assertEquals([old.status, old.errors[0].path], ["rejected", "items[1].at"]);
    assertMatch(old.errors[0].message, /older than the 730-day retention window/);

    assertEquals(await storedEvents(test), [
      { id: "fast-1", at: iso(-HOUR) },
      { id: "near-1", at: iso(-6 * 60_000) },
      { id: "slow-1", at: iso(-10 * 60_000) },
    ]);
  });
});

Deno.test("POST /plugins/offline/push - a caller pushes only for its customers: assigned ones, or any for an admin", async () => {
  await withOffline(async (test) => {
    await addCustomers(test.db, ["sup_1", "sup_2"]);
    const analyst = await test.client("success-analyst");
    const manager = await test.client("success-manager");
    await assign(test, analyst, ["sup_1"]);

    const mine = await push(test, [login("a-1", "sup_1"), login("a-2", "sup_2")], { as: analyst });
    assertEquals(mine.body.items.map((a: { status: string }) => a.status), [
      "accepted",
      "rejected",
    ]);
    assertEquals(mine.body.items[1].errors[0].path, "items[1].customerId");
    assertMatch(mine.body.items[1].errors[0].message, /"sup_2" is not one of your customers/);
    // Not told whether a customer exists when it is not theirs.
    const unknown = await push(test, [login("a-3", "sup_404")], { as: analyst });
    assertMatch(unknown.body.items[0].errors[0].message, /"sup_404" is not one of your customers/);

    // A manager reads every customer, but writes only where an admin assigned it.
    const managed = await push(test, [login("m-1", "sup_1")], { as: manager });
    assertMatch(managed.body.items[0].errors[0].message, /not assigned to you/);
    assertEquals((await push(test, [login("x-1", "sup_2")])).body.items[0].status, "accepted");
  });
});

Deno.test("POST /plugins/offline/push - a batch that fails part way stores nothing, and is answered in full when sent again", async () => {
  await withOffline(async (test) => {
    await addCustomers(test.db, ["sup_1"]);
    const v0 = await versionOf(test, "sup_1");
    // The customer write fails after the usage event of the same batch was ingested.
    await test.db.exec(`
      create function refuse_boom() returns trigger language plpgsql as $$
      begin
        if new.plan = 'boom' then raise exception 'the database refused the write'; end if;
        return new;
      end $$;
      create trigger refuse_boom before update on customers
        for each row execute function refuse_boom();`);
    const items = [
      login("t-1"),
      {
        key: "t-2",
        kind: "customer",
        at: iso(-HOUR),
        customerId: "sup_1",
        baseVersion: v0,
        // The plan, not the name: names are stored encrypted, a trigger cannot read them.
        set: { plan: "boom" },
      },
    ];
    const failed = await push(test, items);
    assertEquals([failed.status, failed.body.code], [500, "INTERNAL"]);
    assertEquals(await storedEvents(test), []);
    assertEquals(await test.db.query("select key from offline_push_receipts"), []);
    assertEquals(await versionOf(test, "sup_1"), v0);

    await test.db.exec("drop trigger refuse_boom on customers");
    const again = await push(test, items);
    assertEquals(again.body.items.map((a: { status: string }) => a.status), [
      "accepted",
      "accepted",
    ]);
    assertEquals((await storedEvents(test)).map((e) => e.id), ["t-1"]);
  });
});

// PGlite has one connection: two pushes cannot run at once.
Deno.test({
  name: "POST /plugins/offline/push - two pushes of one key at once apply it once",
  ignore: backend !== "postgres",
  async fn() {
    await withOffline(async (test) => {
      await addCustomers(test.db, ["sup_1"]);
      const pushes = await Promise.all(
        Array.from({ length: 4 }, () => push(test, [login("race-1"), login("race-2")])),
      );
      const statuses = pushes.flatMap((p) => p.body.items.map((a: { status: string }) => a.status));
      assertEquals(statuses.filter((s) => s === "accepted").length, 2);
      assertEquals(statuses.filter((s) => s === "duplicate").length, 6);
      assertEquals((await storedEvents(test)).map((e) => e.id), ["race-1", "race-2"]);
    });
  },
});
