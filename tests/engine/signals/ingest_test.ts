import { assert, assertEquals, assertMatch, assertRejects } from "../../helpers/assert.ts";
import { EngineError } from "../../../engine/errors.ts";
import { readDomainEvents } from "../../../engine/events/mod.ts";
import {
  getCustomerMilestones,
  ingestEvents,
  openEventProperties,
  upsertCustomers,
} from "../../../engine/signals/mod.ts";
import { backend, withTestDb } from "../../helpers/db.ts";
import type { Db } from "../../../engine/db/mod.ts";
import { customer, daysAgo, installDefaults, NOW, usageEvent } from "../../helpers/fixtures.ts";

const limits = { futureToleranceSeconds: 300, retentionDays: 730 };

async function countEvents(db: { query: (s: string) => Promise<unknown[]> }): Promise<number> {
  const [row] = await db.query("select count(*)::int as n from usage_events") as [{ n: number }];
  return row.n;
}

Deno.test("ingestEvents() stores a batch and ignores and counts duplicate ids", async () => {
  await withTestDb(async (db) => {
    await installDefaults(db);
    await upsertCustomers(db, [customer("sup_1")], { now: NOW });
    const first = await ingestEvents(db, [
      usageEvent("sup_1", "login", daysAgo(2), {}, "a"),
      usageEvent("sup_1", "login", daysAgo(1), {}, "b"),
      usageEvent("sup_1", "login", daysAgo(1), {}, "b"),
    ], { now: NOW, limits });
    assertEquals(first, { accepted: 2, duplicates: 1, duplicateIds: ["b"], milestonesAchieved: 0 });
    const again = await ingestEvents(db, [
      usageEvent("sup_1", "login", daysAgo(2), {}, "a"),
      usageEvent("sup_1", "feature_used", daysAgo(1), { feature: "contracts" }, "c"),
    ], { now: NOW, limits });
    assertEquals(again.accepted, 1);
    assertEquals(again.duplicateIds, ["a"]);
    assertEquals(await countEvents(db), 3);
  });
});

Deno.test("ingestEvents() stores nothing of a batch that names an unknown customer", async () => {
  await withTestDb(async (db) => {
    await installDefaults(db);
    await upsertCustomers(db, [customer("sup_1")], { now: NOW });
    const error = await assertRejects(
      () =>
        ingestEvents(db, [
          usageEvent("sup_1", "login", daysAgo(1)),
          usageEvent("sup_404", "login", daysAgo(1)),
        ], { now: NOW, limits }),
      EngineError,
    );
    assertEquals(error.code, "UNKNOWN_CUSTOMER");
    assertEquals(error.issues.map((i) => i.path), ["events[1].customerId"]);
    assert(error.issues[0]!.message.includes("PUT /api/v1/customers/sup_404"));
    assertEquals(await countEvents(db), 0);
  });
});

Deno.test("ingestEvents() refuses events too far in the future or older than retention", async () => {
  await withTestDb(async (db) => {
    await installDefaults(db);
    await upsertCustomers(db, [customer("sup_1")], { now: NOW });
    const error = await assertRejects(
      () =>
        ingestEvents(db, [
          usageEvent("sup_1", "login", new Date(NOW.getTime() + 60_000)),
          usageEvent("sup_1", "login", new Date(NOW.getTime() + 3_600_000)),
          usageEvent("sup_1", "login", daysAgo(800)),
        ], { now: NOW, limits }),
      EngineError,
    );
    assertEquals(error.code, "EVENT_TIME_OUT_OF_RANGE");
    assertEquals(error.issues.map((i) => i.path), ["events[1].occurredAt", "events[2].occurredAt"]);
    assert(error.issues[0]!.message.includes("in the future"));
    assert(error.issues[1]!.message.includes("retention"));
    assertEquals(await countEvents(db), 0);
  });
});

Deno.test("ingestEvents() records a milestone once, with the event that reached it", async () => {
  await withTestDb(async (db) => {
    await installDefaults(db);
    await upsertCustomers(db, [customer("sup_1")], { now: NOW });
    const added = (n: number, day: number) =>
      usageEvent("sup_1", "client_added", daysAgo(day), {}, `client-${n}`);
    const first = await ingestEvents(db, [added(1, 10), added(2, 9)], { now: NOW, limits });
    assertEquals(first.milestonesAchieved, 1); // first_client_added
    const more = await ingestEvents(db, [added(3, 8), added(4, 7)], { now: NOW, limits });
    assertEquals(more.milestonesAchieved, 0);
    const fifth = await ingestEvents(db, [added(5, 6), added(6, 5)], { now: NOW, limits });
    assertEquals(fifth.milestonesAchieved, 1); // five_clients_added
    const milestones = await getCustomerMilestones(db, "sup_1", NOW);
    const byKey = Object.fromEntries(milestones.map((m) => [m.key, m]));
    assertEquals(byKey.first_client_added?.achievedAt, daysAgo(10).toISOString());
    assertEquals(byKey.five_clients_added?.achievedAt, daysAgo(6).toISOString());
    assertEquals(byKey.five_clients_added?.progress, 5);
    assertEquals(byKey.first_form_sent?.achieved, false);
    assertEquals(byKey.profile_completed?.overdue, true);
    const { events } = await readDomainEvents(db, { types: ["milestone.achieved"] });
    assertEquals(events.map((e) => e.payload.milestone), [
      "first_client_added",
      "five_clients_added",
    ]);
    assertEquals(events[0]?.payload.achievedAt, daysAgo(10).toISOString());
  });
});

Deno.test("ingestEvents() reaches milestones from nothing in one batch with the event that did it, in any order", async () => {
  await withTestDb(async (db) => {
    await installDefaults(db);
    await upsertCustomers(db, [customer("sup_1"), customer("sup_2")], { now: NOW });
    // Six clients for sup_1, sent newest first, each by another user; sup_2 already has one.
    await ingestEvents(db, [usageEvent("sup_2", "client_added", daysAgo(30))], {
      now: NOW,
      limits,
    });
    const clients = [1, 2, 3, 4, 5, 6].map((n) => ({
      ...usageEvent("sup_1", "client_added", daysAgo(10 + n), {}, `client-${n}`),
      userId: `user-${n}`,
    })).concat([{
      ...usageEvent("sup_2", "client_added", daysAgo(40), {}, "older-client"),
      userId: "user-old",
    }]);
    const result = await ingestEvents(db, clients, { now: NOW, limits });
    // sup_1: first_client_added and five_clients_added. sup_2 had reached its first already.
    assertEquals(result.milestonesAchieved, 2);
    const byKey = Object.fromEntries(
      (await getCustomerMilestones(db, "sup_1", NOW)).map((m) => [m.key, m]),
    );
    assertEquals(byKey.first_client_added?.achievedAt, daysAgo(16).toISOString());
    // The fifth oldest of six: day 12, sent by user-2.
    assertEquals(byKey.five_clients_added?.achievedAt, daysAgo(12).toISOString());
    assertEquals(byKey.five_clients_added?.progress, 5);
    const { events } = await readDomainEvents(db, {
      customerId: "sup_1",
      types: ["milestone.achieved"],
    });
    assertEquals(
      events.map((e) => [e.payload.milestone, e.payload.userId]).sort(),
      [["first_client_added", "user-6"], ["five_clients_added", "user-2"]],
    );
    const sup2 = (await getCustomerMilestones(db, "sup_2", NOW)).find((m) =>
      m.key === "five_clients_added"
    );
    assertEquals([sup2?.progress, sup2?.achieved], [2, false]);
  });
});

Deno.test("ingestEvents() stores each event's fields as sent", async () => {
  await withTestDb(async (db) => {
    await installDefaults(db);
    await upsertCustomers(db, [customer("sup_1"), customer("sup_2")], { now: NOW });
    const properties = {
      feature: "contracts",
      nested: { list: [1, "two", null] },
      note: 'é " \\ {}',
    };
    const before = Date.now();
    await ingestEvents(db, [
      { ...usageEvent("sup_1", "feature_used", daysAgo(1), properties, "e-1"), userId: "u-7" },
      usageEvent("sup_2", "login", daysAgo(2), {}, "e-2"),
    ], { now: NOW, limits });
    const after = Date.now();
    const rows = await db.query<Record<string, unknown>>(
      `select event_id, customer_id, type, user_id, occurred_at, properties
       from usage_events order by event_id`,
    );
    // Received is the database's time, not the engine clock's (daily usage counts rely on it).
    const received = await db.query<{ received_at: Date }>("select received_at from usage_events");
    for (const { received_at } of received) {
      const t = new Date(received_at).getTime();
      assert(t >= before - 1000 && t <= after + 1000, `received_at ${received_at} is now`);
    }
    // Free text (note, nested) is stored encrypted; the typed feature stays readable.
    const stored = rows[0]!.properties as Record<string, unknown>;
    assertEquals(stored.feature, "contracts");
    assertMatch(String(stored.note), /^enc:v1:text-[0-9a-f]{12}:/);
    assertMatch(String(stored.nested), /^enc:v1:text-[0-9a-f]{12}:/);
    assertEquals(await openEventProperties(stored), properties);
    assertEquals(rows, [
      {
        event_id: "e-1",
        customer_id: "sup_1",
        type: "feature_used",
        user_id: "u-7",
        occurred_at: daysAgo(1),
        properties: stored,
      },
      {
        event_id: "e-2",
        customer_id: "sup_2",
        type: "login",
        user_id: null,
        occurred_at: daysAgo(2),
        properties: {},
      },
    ]);
  });
});

Deno.test({
  name: "ingestEvents() completes a milestone that two concurrent batches reach together",
  // Needs two sessions at once; PGlite has one.
  ignore: backend !== "postgres",
  fn: async () => {
    await withTestDb(async (db) => {
      await installDefaults(db);
      await upsertCustomers(db, [customer("sup_1")], { now: NOW });
      const added = (n: number) =>
        usageEvent("sup_1", "client_added", daysAgo(20 - n), {}, `client-${n}`);
      await ingestEvents(db, [added(1), added(2), added(3)], { now: NOW, limits });
      // Hold the milestone row, so both batches have stored their event before
      // either evaluates: each alone makes four clients, both make the five of
      // five_clients_added.
      const held = Promise.withResolvers<void>();
      const release = Promise.withResolvers<void>();
      const holder = db.transaction(async (tx) => {
        await tx.query(
          `select 1 from success_milestones
           where customer_id = 'sup_1' and milestone_key = 'five_clients_added' for update`,
        );
        held.resolve();
        await release.promise;
      });
      await held.promise;
      const batches = Promise.all([
        ingestEvents(db, [added(4)], { now: NOW, limits }),
        ingestEvents(db, [added(5)], { now: NOW, limits }),
      ]);
      await waitForLockWaits(db, 2);
      release.resolve();
      await holder;
      const results = await batches;
      assertEquals(results.map((r) => r.milestonesAchieved).sort(), [0, 1]);
      const milestones = await getCustomerMilestones(db, "sup_1", NOW);
      const five = milestones.find((m) => m.key === "five_clients_added");
      assertEquals(five?.achieved, true);
      assertEquals(five?.achievedAt, daysAgo(15).toISOString());
      assertEquals(five?.progress, 5);
    });
  },
});

async function waitForLockWaits(db: Db, sessions: number): Promise<void> {
  for (let tries = 0; tries < 500; tries++) {
    const [row] = await db.query<{ n: number }>(
      "select count(*)::int as n from pg_locks where not granted",
    );
    if ((row?.n ?? 0) >= sessions) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${sessions} sessions did not wait for a lock within 10 s`);
}
