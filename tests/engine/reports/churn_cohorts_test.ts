import { assertEquals } from "../../helpers/assert.ts";
import { withTestDb } from "../../helpers/db.ts";
import { NOW } from "../../helpers/fixtures.ts";
import { cohortReport, monthlyChurn } from "../../../engine/reports/mod.ts";
import { seedPopulation } from "./population.ts";

Deno.test("monthlyChurn() counts each month's churn against the customers at its start", async () => {
  await withTestDb(async (db) => {
    await seedPopulation(db);
    const months = await monthlyChurn(db, { from: "2026-02-01", to: "2026-06-01" });
    assertEquals(months, [
      {
        month: "2026-02",
        activeAtStart: 0,
        newCustomers: 0,
        churned: 0,
        churnedFromStart: 0,
        activeAtEnd: 0,
        churnRate: null,
      },
      // e signs up.
      {
        month: "2026-03",
        activeAtStart: 0,
        newCustomers: 1,
        churned: 0,
        churnedFromStart: 0,
        activeAtEnd: 1,
        churnRate: null,
      },
      // a and b sign up.
      {
        month: "2026-04",
        activeAtStart: 1,
        newCustomers: 2,
        churned: 0,
        churnedFromStart: 0,
        activeAtEnd: 3,
        churnRate: 0,
      },
      // b (there at the start) and c (signed up in May) churn: the rate counts b only, 1 of 3.
      {
        month: "2026-05",
        activeAtStart: 3,
        newCustomers: 2,
        churned: 2,
        churnedFromStart: 1,
        activeAtEnd: 3,
        churnRate: 0.3333,
      },
      // e churns (23:30 UTC on the 14th), f signs up.
      {
        month: "2026-06",
        activeAtStart: 3,
        newCustomers: 1,
        churned: 1,
        churnedFromStart: 1,
        activeAtEnd: 3,
        churnRate: 0.3333,
      },
    ]);
  });
});

Deno.test("cohortReport() gives retention by signup month, vendor type and plan", async () => {
  await withTestDb(async (db) => {
    await seedPopulation(db);
    const all = { from: "2026-01-01", to: "2026-06-01", asOf: NOW };
    const cohorts = await cohortReport(db, {
      ...all,
      by: ["signupMonth", "vendorType", "plan"],
    });
    const line = (
      signupMonth: string | null,
      vendorType: string | null,
      plan: string | null,
      counts: [number, number, number, number | null, number | null],
      ninety: [number, number, number | null],
      retainedMrr: number,
    ) => ({
      signupMonth,
      vendorType,
      plan,
      customers: counts[0],
      retained: counts[1],
      churned: counts[2],
      retentionRate: counts[3],
      churnRate: counts[4],
      reached90d: ninety[0],
      retained90d: ninety[1],
      retentionRate90d: ninety[2],
      retainedMrr,
    });
    assertEquals(cohorts, [
      // e: churned on 14 June, after its first 90 days (1 March + 90 = 30 May).
      line("2026-03", "florist", "professional", [1, 0, 1, 0, 1], [1, 1, 1], 0),
      // a stays, b churned; neither is 90 days in.
      line("2026-04", "photographer", "professional", [2, 1, 1, 0.5, 0.5], [0, 0, null], 100),
      line("2026-05", "venue", "starter", [2, 1, 1, 0.5, 0.5], [0, 0, null], 50),
      line("2026-06", "florist", "starter", [1, 1, 0, 1, 0], [0, 0, null], 20),
    ]);

    const byPlan = await cohortReport(db, { ...all, by: ["plan"] });
    assertEquals(byPlan, [
      // a, b, e: a stays.
      line(null, null, "professional", [3, 1, 2, 0.3333, 0.6667], [1, 1, 1], 100),
      // c, d, f: d and f stay.
      line(null, null, "starter", [3, 2, 1, 0.6667, 0.3333], [0, 0, null], 70),
    ]);

    // As of 1 June, e had not churned yet; f had not signed up.
    const earlier = await cohortReport(db, {
      ...all,
      asOf: new Date("2026-06-01T00:00:00Z"),
      by: ["vendorType"],
    });
    assertEquals(earlier.map((c) => [c.vendorType, c.customers, c.retained]), [
      ["florist", 1, 1],
      ["photographer", 2, 1],
      ["venue", 2, 1],
    ]);
  });
});
