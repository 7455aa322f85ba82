import { assert, assertEquals } from "../../helpers/assert.ts";
import { backend, withTestDb } from "../../helpers/db.ts";
import { NOW } from "../../helpers/fixtures.ts";
import { interventionReport } from "../../../engine/interventions/mod.ts";
import {
  dailyMetrics,
  lastSuccessMetricsRefresh,
  refreshSuccessMetrics,
} from "../../../engine/reports/mod.ts";
import { seedPopulation } from "./population.ts";

const refresh = (db: Parameters<typeof refreshSuccessMetrics>[0], slot = NOW, holder = "test") =>
  refreshSuccessMetrics(db, { slot, now: () => NOW, holder });

Deno.test("dailyMetrics() reads the days of mv_success_metrics after a refresh", async () => {
  await withTestDb(async (db) => {
    await seedPopulation(db, { interventions: true });
    // Nothing until the view is refreshed.
    assertEquals(await dailyMetrics(db, { from: "2026-06-01", to: "2026-06-30" }), []);
    assertEquals(await lastSuccessMetricsRefresh(db), null);

    const done = await refresh(db);
    // From e's signup (1 March) to the last day anything happened (14 June).
    assertEquals(done?.days, 106);
    assertEquals(await lastSuccessMetricsRefresh(db), NOW);

    const days = await dailyMetrics(db, { from: "2026-06-13", to: "2026-06-15" });
    assertEquals(days, [
      {
        date: "2026-06-13",
        // a's last score of the day (90), d 40, e 30; d and e over 70 at risk.
        avgHealth: 53.33,
        scoredCustomers: 3,
        atRiskCount: 2,
        // a, d, e (b and c churned in May).
        activeCustomers: 3,
        newCustomers: 0,
        churnedCustomers: 0,
        churnRate: 0,
        // Sent to a and d, e held out; the test send and the suppression do not count.
        interventionsPlanned: 2,
        interventionsSent: 2,
        interventionsHeldOut: 1,
        successMeasured: 2,
        successRetained: 1,
        successRate: 0.5,
      },
      {
        date: "2026-06-14",
        avgHealth: 65,
        scoredCustomers: 2,
        // f at 71.
        atRiskCount: 1,
        activeCustomers: 3,
        // f signed up; e churned: 1 of the 3 at the start of the day.
        newCustomers: 1,
        churnedCustomers: 1,
        churnRate: 0.3333,
        interventionsPlanned: 0,
        interventionsSent: 0,
        interventionsHeldOut: 0,
        successMeasured: 0,
        successRetained: 0,
        successRate: null,
      },
    ]);
    // 20 May: a, b, c, d and e had signed up, b had churned: c is 1 of 4.
    const [may20] = await dailyMetrics(db, { from: "2026-05-20", to: "2026-05-20" });
    assertEquals(
      [may20?.activeCustomers, may20?.churnedCustomers, may20?.churnRate, may20?.avgHealth],
      [4, 1, 0.25, null],
    );

    // Success as the interventions report counts it: the same treated group and retention.
    const report = await interventionReport(db, {
      from: new Date("2026-06-13T00:00:00Z"),
      to: new Date("2026-06-14T00:00:00Z"),
      confidence: "0.95",
    });
    const d30 = report.byRule[0]!.retention[0]!;
    assertEquals([d30.treated.measured, d30.treated.retained, report.byRule[0]!.successRate], [
      2,
      1,
      0.5,
    ]);
  });
});

Deno.test("refreshSuccessMetrics() refreshes once per slot however many engines try", async () => {
  await withTestDb(async (db) => {
    await seedPopulation(db);
    const tries = await Promise.all([refresh(db, NOW, "one"), refresh(db, NOW, "two")]);
    assertEquals(tries.filter((done) => done !== null).length, 1);
    const [run] = await db.query<{ holder: string; days: number }>(
      `select holder, (outcome->>'days')::int as days from scheduled_job_runs
       where job = 'success-metrics-refresh'`,
    );
    assertEquals(run?.days, 106);
    // Two slots at once both refresh: the second waits for the first's lock, it does not fail.
    const later = [1, 2].map((minutes) => new Date(NOW.getTime() + minutes * 60_000));
    const both = await Promise.all(later.map((slot) => refresh(db, slot)));
    assert(both.every((done) => done?.days === 106), JSON.stringify(both));
  });
});

Deno.test({
  name: "a concurrent refresh never blocks readers of mv_success_metrics",
  // PGlite has one connection: there is no second reader to block.
  ignore: backend === "pglite",
  fn: async () => {
    await withTestDb(async (db) => {
      await seedPopulation(db);
      await refresh(db);
      await db.query("update customers set churned_at = null");
      await db.transaction(async (tx) => {
        await tx.exec("refresh materialized view concurrently mv_success_metrics");
        // The refresh is not committed; a plain REFRESH would hold an exclusive lock here.
        let timer: ReturnType<typeof setTimeout> | undefined;
        const read = await Promise.race([
          db.query<{ churned: number }>(
            "select sum(churned_customers)::int as churned from mv_success_metrics",
          ),
          new Promise<"blocked">((resolve) => timer = setTimeout(() => resolve("blocked"), 3000)),
        ]);
        clearTimeout(timer);
        assertEquals(read, [{ churned: 3 }], "readers see the last refresh meanwhile");
      });
      const [after] = await db.query<{ churned: number }>(
        "select sum(churned_customers)::int as churned from mv_success_metrics",
      );
      assertEquals(after?.churned, 0);
    });
  },
});
