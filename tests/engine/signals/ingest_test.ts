import { assert, assertEquals, assertRejects } from "../../helpers/assert.ts";
import { EngineError } from "../../../engine/errors.ts";
import { readDomainEvents } from "../../../engine/events/mod.ts";
import {
  getCustomerMilestones,
  ingestEvents,
  upsertCustomers,
} from "../../../engine/signals/mod.ts";
import { withTestDb } from "../../helpers/db.ts";
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
