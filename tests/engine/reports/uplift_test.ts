import { assertAlmostEquals, assertEquals } from "../../helpers/assert.ts";
import { withTestDb } from "../../helpers/db.ts";
import { customer, NOW } from "../../helpers/fixtures.ts";
import { type PlantedIntervention, plantInterventions } from "../../helpers/interventions.ts";
import { upsertCustomers } from "../../../engine/signals/mod.ts";
import { totalUplift, weeklyUplift } from "../../../engine/reports/mod.ts";
import { plantEffects } from "./population.ts";

Deno.test("weeklyUplift() compares each week's treated and holdout 30-day retention; unmeasured and test sends do not count", async () => {
  await withTestDb(async (db) => {
    const ids = Array.from({ length: 12 }, (_, i) => `sup_${i}`);
    await upsertCustomers(db, ids.map((id) => customer(id)), { now: NOW });
    // Week of Monday 4 May: 4 sends (3 kept), 4 held out (1 kept). Week of 11 May: 2 sends,
    // both kept, nobody held out. 12 May also has a send not measured yet and a test send.
    const first = new Date("2026-05-06T10:00:00Z");
    const second = new Date("2026-05-12T10:00:00Z");
    const measured: PlantedIntervention[] = [
      ...ids.slice(0, 8).map((customerId, i): PlantedIntervention => ({
        customerId,
        ruleId: "r",
        decision: i < 4 ? "send" : "holdout",
        plannedAt: first,
        ...(i < 4 ? { sentAt: first } : {}),
      })),
      ...ids.slice(8, 10).map((customerId): PlantedIntervention => ({
        customerId,
        ruleId: "r",
        decision: "send",
        plannedAt: second,
        sentAt: second,
      })),
    ];
    const planted = await plantInterventions(db, measured);
    await plantEffects(
      db,
      planted,
      [true, true, true, false, true, false, false, false, true, true],
      first,
    );
    const [testSend] = await plantInterventions(db, [
      { customerId: ids[10]!, ruleId: "r", decision: "send", plannedAt: second, test: true },
      { customerId: ids[11]!, ruleId: "r", decision: "send", plannedAt: second, sentAt: second },
    ]);
    await plantEffects(db, [testSend!], [false], second);

    const weeks = await weeklyUplift(db, { from: new Date("2026-05-01"), to: NOW });
    assertEquals(weeks.map((w) => [w.week, w.treatedRate, w.holdoutRate, w.uplift]), [
      ["2026-05-04", 0.75, 0.25, 0.5],
      ["2026-05-11", 1, null, null],
    ]);
    assertEquals(
      [weeks[1]!.treatedMeasured, weeks[1]!.treatedRetained, weeks[1]!.holdoutMeasured],
      [2, 2, 0],
    );
    // Newcombe's interval around 0.5 (3/4 against 1/4) is wide: four customers a group.
    assertAlmostEquals(weeks[0]!.upliftLow!, -0.1355, 1e-3);
    assertAlmostEquals(weeks[0]!.upliftHigh!, 0.7891, 1e-3);

    const total = totalUplift(weeks);
    assertEquals([total.treatedMeasured, total.treatedRetained], [6, 5]);
    assertAlmostEquals(total.uplift!, 5 / 6 - 1 / 4, 1e-12);
    // Outside the range: nothing.
    assertEquals(await weeklyUplift(db, { from: NOW, to: new Date("2026-07-01") }), []);
  });
});
