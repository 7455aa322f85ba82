import { assertAlmostEquals, assertEquals } from "../../helpers/assert.ts";
import type { Db } from "../../../engine/db/mod.ts";
import { readDomainEvents } from "../../../engine/events/mod.ts";
import { getCustomerHealth, scoreAllCustomers } from "../../../engine/health/mod.ts";
import { ingestEvents, upsertCustomers, type UsageEvent } from "../../../engine/signals/mod.ts";
import { withTestDb } from "../../helpers/db.ts";
import { customer, daysAgo, installDefaults, NOW, usageEvent } from "../../helpers/fixtures.ts";

const limits = { futureToleranceSeconds: 300, retentionDays: 730 };

/** A thriving supplier (A), a struggling one (B), one churned (C) and one not yet signed up (D). */
async function seedPopulation(db: Db): Promise<void> {
  await installDefaults(db);
  await upsertCustomers(db, [
    customer("sup_a"),
    customer("sup_b"),
    customer("sup_c", { churnedAt: daysAgo(5).toISOString() }),
    customer("sup_d", { signupDate: "2026-07-01" }),
  ], { now: NOW });
  const events: UsageEvent[] = [];
  for (let day = 1; day <= 15; day++) events.push(usageEvent("sup_a", "login", daysAgo(day)));
  for (const feature of ["contracts", "invoices", "gallery", "timeline", "forms", "reviews"]) {
    events.push(usageEvent("sup_a", "feature_used", daysAgo(3), { feature }));
  }
  events.push(usageEvent("sup_a", "profile_completed", daysAgo(150)));
  for (let n = 0; n < 5; n++) events.push(usageEvent("sup_a", "client_added", daysAgo(100 - n)));
  events.push(usageEvent("sup_a", "form_sent", daysAgo(90)));
  events.push(
    usageEvent("sup_a", "payment_received", daysAgo(80), { amount: 500, currency: "GBP" }),
  );

  for (const day of [10, 12, 20]) events.push(usageEvent("sup_b", "login", daysAgo(day)));
  events.push(usageEvent("sup_b", "feature_used", daysAgo(12), { feature: "contracts" }));
  events.push(usageEvent("sup_b", "feature_used", daysAgo(11), { feature: "contracts" }));
  events.push(usageEvent("sup_b", "support_ticket_opened", daysAgo(15)));
  events.push(usageEvent("sup_b", "support_ticket_opened", daysAgo(14)));
  events.push(usageEvent("sup_b", "payment_failed", daysAgo(10)));
  await ingestEvents(db, events, { now: NOW, limits });
}

const scoreOptions = { batchSize: 1, changeThreshold: 5 };

Deno.test("scoreAllCustomers() scores active customers from the model's components", async () => {
  await withTestDb(async (db) => {
    await seedPopulation(db);
    const result = await scoreAllCustomers(db, { ...scoreOptions, asOf: NOW });
    assertEquals(result, { scored: 2, changed: 2, batches: 2, modelVersion: "1.0.0" });

    const a = await getCustomerHealth(db, "sup_a", { historyDays: 90 });
    assertEquals(a.latest?.score, 100);
    assertEquals(
      Object.fromEntries(Object.entries(a.latest!.components).map(([k, c]) => [k, c.score])),
      { engagement: 100, adoption: 100, milestones: 100, support: 100, billing: 100 },
    );
    assertAlmostEquals(a.latest!.atRiskScore, 1.79, 0.01); // 25% weight × 1 idle day of 14

    const b = await getCustomerHealth(db, "sup_b", { historyDays: 90 });
    assertEquals(b.latest?.components.engagement, { score: 20, value: 3, weight: 30 });
    assertEquals(b.latest?.components.adoption, { score: 16.67, value: 1, weight: 20 });
    assertEquals(b.latest?.components.support, { score: 50, value: 2, weight: 15 });
    assertEquals(b.latest?.components.billing, { score: 50, value: 1, weight: 15 });
    // (30×20 + 20×16.67 + 20×0 + 15×50 + 15×50) / 100
    assertEquals(b.latest?.score, 24.33);
    // 0.5 × (100 − 24.33) + 0.25 × 0 + 0.25 × (10 idle days / 14 × 100)
    assertAlmostEquals(b.latest!.atRiskScore, 55.69, 0.01);
    assertEquals(b.latest?.atRiskFactors, { lowHealth: 75.67, decline: 0, inactivity: 71.43 });
    assertEquals(b.trend.direction, "unknown");

    const none = await getCustomerHealth(db, "sup_c", { historyDays: 90 });
    assertEquals(none.latest, null);
  });
});

Deno.test("scoreAllCustomers() keeps history and measures decline against the past score", async () => {
  await withTestDb(async (db) => {
    await seedPopulation(db);
    await scoreAllCustomers(db, { ...scoreOptions, asOf: NOW });
    const later = new Date(NOW.getTime() + 31 * 86_400_000);
    await scoreAllCustomers(db, { ...scoreOptions, batchSize: 500, asOf: later });

    const b = await getCustomerHealth(db, "sup_b", { historyDays: 90 });
    // Nothing in the 30-day windows any more; the failed payment is still in billing's 60 days.
    assertEquals(b.latest?.score, 22.5);
    // (24.33 − 22.5) / 30 points × 100
    assertAlmostEquals(b.latest!.atRiskFactors.decline, 6.1, 0.01);
    // 0.5 × 77.5 + 0.25 × 6.1 + 0.25 × 100 (41 idle days)
    assertAlmostEquals(b.latest!.atRiskScore, 65.28, 0.01);
    assertEquals(b.trend, { change7d: -1.83, change30d: -1.83, direction: "stable" });
    assertEquals(b.history.map((h) => h.score), [24.33, 22.5]);

    const { events } = await readDomainEvents(db, {
      customerId: "sup_b",
      types: ["health.changed"],
    });
    assertEquals(events.map((e) => [e.payload.previousScore, e.payload.score]), [
      [null, 24.33],
      [24.33, 22.5],
    ]);
  });
});

Deno.test("scoreAllCustomers() with batches in flight at once scores each active customer once", async () => {
  await withTestDb(async (db) => {
    await installDefaults(db);
    const ids = Array.from({ length: 7 }, (_, i) => `sup_${i}`);
    await upsertCustomers(db, [
      ...ids.map((id) => customer(id)),
      customer("sup_gone", { churnedAt: daysAgo(1).toISOString() }),
    ], { now: NOW });
    const progress: Array<[number, number]> = [];
    const result = await scoreAllCustomers(db, {
      asOf: NOW,
      batchSize: 2,
      concurrency: 3,
      changeThreshold: 5,
      onProgress: (done, total) => progress.push([done, total]),
    });
    assertEquals(result, { scored: 7, changed: 7, batches: 4, modelVersion: "1.0.0" });
    assertEquals(progress.map(([, total]) => total), [7, 7, 7, 7]);
    assertEquals(progress.at(-1), [7, 7]);
    const rows = await db.query<{ customer_id: string; n: number }>(
      `select customer_id, count(*) as n from customer_health group by customer_id order by 1`,
    );
    assertEquals(rows, ids.map((id) => ({ customer_id: id, n: 1 })));
  });
});
