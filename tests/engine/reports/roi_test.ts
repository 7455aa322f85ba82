import { assertAlmostEquals, assertEquals } from "../../helpers/assert.ts";
import { withTestDb } from "../../helpers/db.ts";
import {
  defaultInterventionCosts,
  parseInterventionCosts,
} from "../../../engine/intervention_costs.ts";
import { roiReport } from "../../../engine/reports/mod.ts";
import { seedRoiPopulation } from "./population.ts";

Deno.test("roiReport() credits revenue only where the uplift against the holdout is significant and positive", async () => {
  await withTestDb(async (db) => {
    await seedRoiPopulation(db);
    const report = await roiReport(db, {
      windowDays: 30,
      confidence: "0.95",
      costs: defaultInterventionCosts,
    });
    const [feature, payment, winBack] = report.rows;
    // 0.6 uplift (Newcombe 0.1705 to 0.8090) × 10 × 100 MRR × 30/30.
    assertEquals(
      [payment?.ruleId, payment?.uplift, payment?.significant, payment?.treatedMrr],
      ["payment-failed", 0.6, true, 1000],
    );
    assertEquals(payment?.creditedRevenue, 600);
    assertAlmostEquals(payment!.creditedRevenueLow, 170.5, 1e-9);
    assertAlmostEquals(payment!.creditedRevenueHigh, 809, 1e-9);
    // 10 emails at 0.05: (600 − 0.5) / 0.5.
    assertEquals([payment?.sent, payment?.cost, payment?.roi, payment?.roiLow], [
      10,
      0.5,
      1199,
      340,
    ]);
    // 0.1 is within the noise: nothing credited, the 10 in-app messages cost 0.2.
    assertEquals(
      [
        feature?.uplift,
        feature?.significant,
        feature?.creditedRevenue,
        feature?.cost,
        feature?.roi,
      ],
      [0.1, false, 0, 0.2, -1],
    );
    // Significantly worse than doing nothing: no credit (never a negative one), 10 × 5 cost.
    assertEquals(
      [
        winBack?.uplift,
        winBack?.significant,
        winBack?.creditedRevenue,
        winBack?.cost,
        winBack?.roi,
      ],
      [-0.7, true, 0, 50, -1],
    );
    // (600 − 50.7) / 50.7.
    assertEquals(
      [report.total.creditedRevenue, report.total.cost, report.total.roi, report.total.sent],
      [600, 50.7, 10.8343, 30],
    );

    // Costs of one's own; a window not measured yet credits nothing.
    const own = await roiReport(db, {
      windowDays: 30,
      confidence: "0.95",
      costs: parseInterventionCosts("email=2")!,
    });
    assertEquals([own.rows[1]?.cost, own.rows[1]?.roi], [20, 29]);
    const later = await roiReport(db, {
      windowDays: 90,
      confidence: "0.95",
      costs: defaultInterventionCosts,
    });
    assertEquals(later.rows.map((r) => [r.treatedMrr, r.creditedRevenue]), [[0, 0], [0, 0], [
      0,
      0,
    ]]);
  });
});

Deno.test("parseInterventionCosts() reads channel=cost pairs over the defaults", () => {
  assertEquals(parseInterventionCosts(""), defaultInterventionCosts);
  assertEquals(parseInterventionCosts("email=0.1, *=2")?.email, 0.1);
  assertEquals(parseInterventionCosts("email=0.1, *=2")?.["*"], 2);
  assertEquals(parseInterventionCosts("email=cheap"), undefined);
  assertEquals(parseInterventionCosts("=1"), undefined);
});
