import { holdEventsOpen } from "../../helpers/open_transaction.ts";
import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import {
  addCustomers,
  assign,
  describe,
  eventIds,
  page,
  settled,
  syncAll,
  syncUntil,
  withOffline,
} from "./helpers.ts";
import { backend } from "../../helpers/db.ts";
import { appendDomainEvents, type DomainEvent } from "../../../engine/events/mod.ts";
import { decodeCursor, encodeCursor } from "../../../plugins/offline/cursor.ts";
import { NOW } from "../../helpers/fixtures.ts";

function health(customerId: string, score: number): DomainEvent {
  return {
    type: "health.changed",
    customerId,
    payload: { score, previousScore: null, atRiskScore: 10, previousAtRiskScore: null },
    occurredAt: NOW,
  };
}

Deno.test("GET /plugins/offline/changes - a first sync sends the caller's customers page by page, then the events after them", async () => {
  await withOffline(async (test) => {
    const admin = await test.client("admin");
    await addCustomers(test.db, ["sup_1", "sup_2", "sup_3", "sup_4", "sup_5"]);
    await settled(test.db);

    const first = await page(test, admin, null, 2);
    assertEquals([first.changes.map(describe), first.hasMore], [
      ["customer:sup_1", "customer:sup_2"],
      true,
    ]);
    const second = await page(test, admin, first.cursor, 2);
    assertEquals(second.changes.map(describe), ["customer:sup_3", "customer:sup_4"]);
    const third = await page(test, admin, second.cursor, 2);
    // The customers were created before the sync began: that is in the snapshot, not sent again.
    assertEquals([third.changes.map(describe), third.hasMore], [["customer:sup_5"], false]);

    const snapshot = first.changes[0]!;
    assert(snapshot.kind === "customer");
    assertEquals(snapshot.snapshot.customer.name, "Supplier sup_1");
    assertEquals(snapshot.snapshot.health, null);
    assertEquals(snapshot.snapshot.milestones.map((m) => [m.key, m.achieved]), [
      ["profile_completed", false],
      ["first_client_added", false],
      ["first_form_sent", false],
      ["first_payment_received", false],
      ["five_clients_added", false],
    ]);
    // The version is the customer's ETag in the API: a client can take it from either.
    const api = await test.call("GET", "/api/v1/customers/sup_1");
    assertEquals(snapshot.snapshot.version, api.headers.get("etag"));

    await appendDomainEvents(test.db, [health("sup_2", 40), health("sup_4", 70)]);
    const next = await syncUntil(test, admin, third.cursor, (c) => c.length === 2, 2);
    assertEquals(
      next.changes.map((c) => c.kind === "event" && [c.event.type, c.event.customerId]),
      [["health.changed", "sup_2"], ["health.changed", "sup_4"]],
    );
    const nothing = await page(test, admin, next.cursor, 2);
    assertEquals([nothing.changes, nothing.hasMore], [[], false]);
  });
});

Deno.test("GET /plugins/offline/changes - a client back after many events catches up page by page, without gaps or duplicates", async () => {
  await withOffline(async (test) => {
    const manager = await test.client("success-manager");
    const ids = Array.from({ length: 12 }, (_, i) => `sup_${String(i).padStart(2, "0")}`);
    await addCustomers(test.db, ids);
    await settled(test.db);
    const start = await syncAll(test, manager, null, 50);
    assertEquals(start.changes.length, 12);
    const [{ before }] = await test.db.query<{ before: number }>(
      "select max(id)::int as before from event_log",
    ) as [{ before: number }];

    // Days offline: 40 transactions of 15 events each, and one customer updated 4 times.
    for (let t = 0; t < 40; t++) {
      await appendDomainEvents(
        test.db,
        Array.from({ length: 15 }, (_, i) => health(ids[(t + i) % ids.length]!, t + i)),
      );
      if (t % 10 === 0) await addCustomers(test.db, [ids[0]!], { plan: `plan${t}` });
    }
    const expected = (await test.db.query<{ id: number }>(
      "select id from event_log where id > $1 order by tx_id, id",
      [before],
    )).map((r) => r.id);
    assertEquals(expected.length, 604);

    const caughtUp = await syncUntil(test, manager, start.cursor, (c) => c.length >= 604, 37);
    const got = eventIds(caughtUp.changes);
    assertEquals(got, expected);
    assertEquals(new Set(got).size, got.length);
    assert(caughtUp.pages >= Math.ceil(604 / 37), `${caughtUp.pages} pages`);

    // A customer.updated event carries the customer as it is now, not as it was then.
    const updated = caughtUp.changes.find((c) =>
      c.kind === "event" && c.event.type === "customer.updated"
    );
    assert(updated?.kind === "event");
    assertEquals(updated.customer?.customer.plan, "plan30");

    const again = await page(test, manager, caughtUp.cursor, 37);
    assertEquals([again.changes, again.hasMore], [[], false]);
  });
});

// PGlite has one connection: no transaction can be open while another commits.
Deno.test({
  name:
    "GET /plugins/offline/changes - an event of a transaction still open while a later one commits is sent once it commits, once",
  ignore: backend !== "postgres",
  async fn() {
    await withOffline(async (test) => {
      const admin = await test.client("admin");
      await addCustomers(test.db, ["sup_1"]);
      await settled(test.db);
      const start = await syncAll(test, admin, null);

      // The slow transaction takes the lower id, then stays open.
      const slow = await holdEventsOpen(test.db, [health("sup_1", 11)]);
      await appendDomainEvents(test.db, [health("sup_1", 22)]);

      // The later event is committed, but the open transaction comes first in the log.
      const waiting = await page(test, admin, start.cursor);
      assertEquals([waiting.changes, waiting.hasMore], [[], false]);
      const stillWaiting = await page(test, admin, waiting.cursor);
      assertEquals(stillWaiting.changes, []);

      await slow.commit();
      const both = await syncUntil(test, admin, stillWaiting.cursor, (c) => c.length >= 2);
      assertEquals(both.changes.map((c) => c.kind === "event" && c.event.payload.score), [11, 22]);
      const [slowEvent, fastEvent] = eventIds(both.changes);
      assert(slowEvent! < fastEvent!, "the slow transaction's event has the lower id");
      assertEquals((await page(test, admin, both.cursor)).changes, []);
    });
  },
});

Deno.test({
  name:
    "GET /plugins/offline/changes - a transaction that began first but wrote last still comes first",
  ignore: backend !== "postgres",
  async fn() {
    await withOffline(async (test) => {
      const admin = await test.client("admin");
      await addCustomers(test.db, ["sup_1"]);
      await settled(test.db);
      const start = await syncAll(test, admin, null);
      let write = () => {};
      const writing = new Promise<void>((resolve) => (write = resolve));
      let begun = () => {};
      const hasXid = new Promise<void>((resolve) => (begun = resolve));
      // Takes its transaction id now, writes its event (a higher id) only later.
      const early = test.db.transaction(async (tx) => {
        await tx.query("select pg_current_xact_id()");
        begun();
        await writing;
        await appendDomainEvents(tx, [health("sup_1", 1)]);
      });
      await hasXid;
      await appendDomainEvents(test.db, [health("sup_1", 2)]);
      const held = await page(test, admin, start.cursor);
      assertEquals(held.changes, []);
      write();
      await early;
      const all = await syncUntil(test, admin, held.cursor, (c) => c.length >= 2);
      assertEquals(all.changes.map((c) => c.kind === "event" && c.event.payload.score), [1, 2]);
      const [first, second] = eventIds(all.changes);
      assert(first! > second!, "the early transaction's event has the higher id");
    });
  },
});

Deno.test("GET /plugins/offline/changes - a caller sees only its customers: all for admins and managers, the assigned ones for others", async () => {
  await withOffline(async (test) => {
    await addCustomers(test.db, ["sup_1", "sup_2", "sup_3"]);
    const analyst = await test.client("success-analyst");
    const other = await test.client("success-analyst");
    const manager = await test.client("success-manager");
    await assign(test, analyst, ["sup_1", "sup_3"]);
    await settled(test.db);

    const mine = await syncAll(test, analyst, null);
    assertEquals(mine.changes.map(describe), ["customer:sup_1", "customer:sup_3"]);
    assertEquals((await syncAll(test, other, null)).changes, []);
    const all = await syncAll(test, manager, null);
    assertEquals(all.changes.map(describe), ["customer:sup_1", "customer:sup_2", "customer:sup_3"]);

    await appendDomainEvents(test.db, [health("sup_1", 1), health("sup_2", 2), health("sup_3", 3)]);
    // Events about no customer are not in a feed of customers.
    await appendDomainEvents(test.db, [{
      type: "rule.disabled",
      customerId: null,
      payload: { ruleId: "r" },
      occurredAt: NOW,
    }]);
    const events = await syncUntil(test, analyst, mine.cursor, (c) => c.length >= 2);
    assertEquals(events.changes.map((c) => c.kind === "event" && c.event.customerId), [
      "sup_1",
      "sup_3",
    ]);
    const managerEvents = await syncUntil(test, manager, all.cursor, (c) => c.length >= 3);
    assertEquals(managerEvents.changes.map((c) => c.kind === "event" && c.event.customerId), [
      "sup_1",
      "sup_2",
      "sup_3",
    ]);

    // sup_2 given, sup_1 taken away: the next page says so, then events follow the new scope.
    await assign(test, analyst, ["sup_2", "sup_3"]);
    await appendDomainEvents(test.db, [health("sup_1", 4), health("sup_2", 5)]);
    const moved = await syncUntil(test, analyst, events.cursor, (c) => c.length >= 3);
    assertEquals(moved.changes.map(describe).slice(0, 2), ["removed:sup_1", "customer:sup_2"]);
    assertEquals(
      moved.changes.slice(2).map((c) => c.kind === "event" && c.event.customerId),
      ["sup_2"],
    );
    assertEquals((await syncAll(test, analyst, moved.cursor)).changes, []);
  });
});

Deno.test("GET /plugins/offline/changes - a malformed cursor, another caller's or another database's is a 400 naming the cursor", async () => {
  await withOffline(async (test) => {
    const admin = await test.client("admin");
    const manager = await test.client("success-manager");
    await addCustomers(test.db, ["sup_1"]);
    const { cursor } = await syncAll(test, admin, null);
    const get = (query: string) =>
      test.call("GET", `/plugins/offline/changes?${query}`, { as: admin });

    for (const bad of ["nope", cursor.slice(0, -4), `${cursor}x!`, "o1.eyJ4IjoxfQ"]) {
      const answer = await get(`cursor=${encodeURIComponent(bad)}`);
      assertEquals(
        [answer.status, answer.headers.get("content-type"), answer.body.code],
        [400, "application/problem+json", "VALIDATION_FAILED"],
        bad,
      );
      assertEquals(answer.body.errors[0].path, "cursor");
      assertMatch(answer.body.errors[0].message, /is not a cursor of this feed/);
    }

    const foreign = await test.call("GET", `/plugins/offline/changes?cursor=${cursor}`, {
      as: manager,
    });
    assertEquals(foreign.status, 400);
    assertMatch(foreign.body.detail, /was issued to another caller/);

    const position = decodeCursor(cursor, admin.key);
    const ahead = await get(`cursor=${encodeCursor({ ...position, txId: "99999999999" })}`);
    assertEquals(ahead.status, 400);
    assertMatch(ahead.body.detail, /comes from another database/);

    for (const query of ["limit=0", "limit=1001", "limit=ten", "since=3"]) {
      const answer = await get(query);
      assertEquals([answer.status, answer.body.code], [400, "VALIDATION_FAILED"], query);
    }
  });
});

Deno.test("GET /plugins/offline/changes - the engine refuses a caller without a valid token", async () => {
  await withOffline(async (test) => {
    const none = await test.api.call("GET", "/plugins/offline/changes", undefined, {
      authorization: "",
    });
    assertEquals([none.status, none.body.code], [401, "UNAUTHENTICATED"]);
    const wrong = await test.api.call("GET", "/plugins/offline/changes", undefined, {
      authorization: "Bearer not-a-token",
    });
    assertEquals(wrong.status, 401);
  });
});
