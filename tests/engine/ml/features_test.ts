import { assert, assertEquals } from "../../helpers/assert.ts";
import { withTestDb } from "../../helpers/db.ts";
import { customer, daysAgo, installDefaults, NOW, usageEvent } from "../../helpers/fixtures.ts";
import { buildFeatures, churnFeatureNames } from "../../../engine/ml/mod.ts";
import { ingestEvents, refreshDailyUsage, upsertCustomers } from "../../../engine/signals/mod.ts";

const limits = { futureToleranceSeconds: 300, retentionDays: 730 };

Deno.test("buildFeatures() computes each feature from the signals as they were at the as-of time", async () => {
  await withTestDb(async (db) => {
    await installDefaults(db);
    await upsertCustomers(db, [
      customer("sup_a", {
        plan: "scale",
        vendorType: "florist",
        mrr: 199,
        signupDate: "2026-01-16",
      }),
      customer("sup_b", { plan: "custom", vendorType: "other" }),
      customer("sup_gone", {}),
    ], { now: daysAgo(200) });
    await db.query("update customers set churned_at = $1 where id = 'sup_gone'", [daysAgo(3)]);
    await ingestEvents(db, [
      usageEvent("sup_a", "login", daysAgo(1)),
      usageEvent("sup_a", "login", daysAgo(1.5)),
      usageEvent("sup_a", "login", daysAgo(10)),
      usageEvent("sup_a", "login", daysAgo(45)),
      usageEvent("sup_a", "feature_used", daysAgo(2), { feature: "contracts" }),
      usageEvent("sup_a", "support_ticket_opened", daysAgo(20)),
      usageEvent("sup_a", "support_ticket_opened", daysAgo(21)),
      usageEvent("sup_a", "support_ticket_resolved", daysAgo(5)),
      usageEvent("sup_a", "payment_failed", daysAgo(60)),
      usageEvent("sup_a", "nps_submitted", daysAgo(30), { score: 4 }),
      usageEvent("sup_a", "nps_submitted", daysAgo(8), { score: 9 }),
      // On the as-of day, before and after the as-of time: counted from the next day on.
      usageEvent("sup_a", "login", new Date(NOW.getTime() - 60_000)),
      usageEvent("sup_a", "login", new Date(NOW.getTime() + 60_000)),
    ], { now: new Date(NOW.getTime() + 120_000), limits });
    await db.query(
      `insert into customer_health (customer_id, score, at_risk_score, components,
         at_risk_factors, model_version, scored_at)
       values ('sup_a', 70, 30, '{}', '[]', 't', $1), ('sup_a', 62.5, 37.5, '{}', '[]', 't', $2)`,
      [daysAgo(40), daysAgo(1)],
    );

    await refreshDailyUsage(db);
    const batch = await buildFeatures(db, { after: "", last: "sup_zzz" }, NOW);
    // Churned customers are not scored.
    assertEquals(batch.customerIds, ["sup_a", "sup_b"]);
    const width = churnFeatureNames.length;
    const row = (r: number) =>
      Object.fromEntries(churnFeatureNames.map((name, i) => [name, batch.values[r * width + i]]));
    const a = row(0);
    assertEquals(
      {
        tenure: a.tenure_days,
        mrr: a.mrr,
        plan: a.plan,
        vendor: a.vendor_type,
        logins7: a.logins_7d,
        logins30: a.logins_30d,
        previous: a.logins_prev_30d,
        activeDays: a.active_days_30d,
        features: a.features_used_30d,
        failed: a.payments_failed_90d,
        opened: a.tickets_opened_90d,
        open: a.open_tickets,
        nps: a.nps_last,
        health: a.health_score,
        change: a.health_change_30d,
      },
      {
        tenure: 150,
        mrr: 199,
        plan: 2, // starter, professional, scale
        vendor: 4, // photographer, videographer, venue, planner, florist
        logins7: 2,
        logins30: 3,
        previous: 1,
        // Whole days before the as-of day (June 15): June 14 (days 1 and 1.5 ago), 13, 10, 7,
        // 5, May 26, 25 and 16 (30 days ago, the window's first day).
        activeDays: 8,
        features: 1,
        failed: 1,
        opened: 2,
        open: 1,
        nps: 9, // the latest answer
        health: 62.5,
        change: -7.5,
      },
    );
    // From the last event (June 14, 12:00) to the start of the as-of day.
    assert(Math.abs(a.days_since_last_event! - 0.5) < 1e-6, `${a.days_since_last_event}`);
    // An unknown plan, no health score, no NPS: missing (NaN), never a made-up number.
    const b = row(1);
    assertEquals(b.vendor_type, 12); // other, the last
    for (const name of ["plan", "health_score", "health_change_30d", "nps_last"]) {
      assert(Number.isNaN(b[name]), `${name} is missing for sup_b: ${b[name]}`);
    }
    assertEquals([b.logins_30d, b.days_since_last_event], [0, 90]);
  });
});
