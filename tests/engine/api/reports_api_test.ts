import { assertAlmostEquals, assertEquals } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";
import { customer, NOW } from "../../helpers/fixtures.ts";
import { type PlantedIntervention, plantInterventions } from "../../helpers/interventions.ts";
import { measureEffects } from "../../../engine/interventions/mod.ts";
import { upsertCustomers } from "../../../engine/signals/mod.ts";

const DAY = 86_400_000;
const at = (days: number) => new Date(NOW.getTime() + days * DAY);

Deno.test("the interventions report gives outcomes and uplift against the holdout per rule and template", async () => {
  await withApi(async (api) => {
    const ids = Array.from({ length: 24 }, (_, i) => `sup_${String(i).padStart(2, "0")}`);
    await upsertCustomers(api.db, ids.map((id) => customer(id)), { now: at(-60) });
    for (const id of ids) {
      await api.db.query(
        `insert into customer_health (customer_id, score, at_risk_score, components,
           at_risk_factors, model_version, scored_at)
         values ($1, 40, 60, '{}', '[]', 'test', $2)`,
        [id, at(-1)],
      );
    }
    // payment-failed: 10 sent (sup_00–09), 10 held out (sup_10–19). feature-tip: 2 sent in-app.
    const planted: PlantedIntervention[] = [
      ...ids.slice(0, 10).map((id, i) => ({
        customerId: id,
        ruleId: "payment-failed",
        templateId: "payment_failed",
        decision: "send" as const,
        plannedAt: NOW,
        sentAt: NOW,
        ...(i < 4 ? { openedAt: at(1) } : {}),
        ...(i < 2 ? { clickedAt: at(1) } : {}),
      })),
      ...ids.slice(10, 20).map((id) => ({
        customerId: id,
        ruleId: "payment-failed",
        templateId: "payment_failed",
        decision: "holdout" as const,
        plannedAt: NOW,
      })),
      ...ids.slice(20, 22).map((id) => ({
        customerId: id,
        ruleId: "feature-tip",
        templateId: "feature_tip",
        channel: "in-app",
        decision: "send" as const,
        plannedAt: NOW,
        sentAt: NOW,
        deliveredAt: NOW,
      })),
      // Neither a suppression nor a test send counts.
      {
        customerId: "sup_22",
        ruleId: "payment-failed",
        templateId: "payment_failed",
        decision: "suppressed",
        plannedAt: NOW,
      },
      {
        customerId: "sup_23",
        ruleId: "payment-failed",
        templateId: "payment_failed",
        decision: "send",
        plannedAt: NOW,
        sentAt: NOW,
        test: true,
      },
      // Dead-lettered: counted as planned (treated) and failed, not as sent.
      {
        customerId: "sup_22",
        ruleId: "feature-tip",
        templateId: "feature_tip",
        channel: "in-app",
        decision: "send",
        plannedAt: NOW,
        status: "dead",
      },
    ];
    await plantInterventions(api.db, planted);
    // Within 30 days: one treated customer churns, 7 of the holdout group do.
    const churned = ["sup_09", ...ids.slice(10, 17)];
    await api.db.query("update customers set churned_at = $2 where id = any($1::text[])", [
      churned,
      at(20),
    ]);
    // Health 14 days on: sends +10 (half of them) or +20; the holdout group unchanged.
    for (const [i, id] of ids.slice(0, 10).entries()) {
      await api.db.query(
        `insert into customer_health (customer_id, score, at_risk_score, components,
           at_risk_factors, model_version, scored_at)
         values ($1, $2, 0, '{}', '[]', 'test', $3)`,
        [id, i % 2 === 0 ? 50 : 60, at(7)],
      );
    }
    await measureEffects(api.db, { asOf: at(35), batchSize: 1000 });

    const response = await api.call("GET", "/api/v1/reports/interventions");
    assertEquals(response.status, 200, JSON.stringify(response.body));
    const report = response.body;
    assertEquals(report.byRule.map((r: { ruleId: string }) => r.ruleId), [
      "feature-tip",
      "payment-failed",
    ]);
    const payment = report.byRule[1];
    assertEquals(
      [payment.planned, payment.sent, payment.opened, payment.clicked, payment.heldOut],
      [10, 10, 4, 2, 10],
    );
    assertEquals([payment.openRate, payment.clickRate, payment.successRate], [0.4, 0.2, 0.9]);
    const [d30, d60] = payment.retention;
    assertEquals([d30.days, d30.treated, d30.holdout], [
      30,
      { measured: 10, retained: 9, rate: 0.9 },
      { measured: 10, retained: 3, rate: 0.3 },
    ]);
    // 9/10 against 3/10: Newcombe's published interval, 0.1705 to 0.8090.
    assertEquals(d30.uplift, 0.6);
    assertAlmostEquals(d30.confidenceInterval.low, 0.1705, 1e-4);
    assertAlmostEquals(d30.confidenceInterval.high, 0.8090, 1e-4);
    assertEquals(d30.significant, true);
    // 60 days have not passed: nothing to compare yet.
    assertEquals([d60.treated.measured, d60.uplift, d60.confidenceInterval], [0, null, null]);
    const health = payment.healthChange14d;
    assertEquals([health.treated, health.holdout, health.difference], [
      { measured: 10, meanChange: 15 },
      { measured: 10, meanChange: 0 },
      15,
    ]);
    // Welch: the holdout group does not vary; the sends vary by ±5 (variance 250/9).
    const se = Math.sqrt(250 / 9 / 10);
    assertAlmostEquals(health.confidenceInterval.low, 15 - 1.959964 * se, 1e-4);

    // A rule without a holdout group has rates but no uplift.
    const tip = report.byRule[0];
    assertEquals([tip.planned, tip.sent, tip.delivered, tip.failed, tip.heldOut], [3, 2, 2, 1, 0]);
    assertEquals([tip.retention[0].uplift, tip.retention[0].significant], [null, false]);

    // By template, with its channel; filters narrow it.
    assertEquals(
      report.byTemplate.map((t: { templateId: string; channel: string; sent: number }) => [
        t.templateId,
        t.channel,
        t.sent,
      ]),
      [["feature_tip", "in-app", 2], ["payment_failed", "email", 10]],
    );
    const narrowed = await api.call(
      "GET",
      "/api/v1/reports/interventions?templateId=feature_tip&confidence=0.99",
    );
    assertEquals(narrowed.body.byRule.map((r: { ruleId: string }) => r.ruleId), ["feature-tip"]);
    assertEquals(narrowed.body.confidence, 0.99);
    const later = await api.call(
      "GET",
      `/api/v1/reports/interventions?from=${at(1).toISOString()}`,
    );
    assertEquals([later.body.byRule, later.body.byTemplate], [[], []]);
  }, { clock: { now: () => at(35) } });
});

Deno.test("the interventions report says what is wrong with its query", async () => {
  await withApi(async (api) => {
    const backwards = await api.call(
      "GET",
      "/api/v1/reports/interventions?from=2026-06-01&to=2026-05-01",
    );
    assertEquals([backwards.status, backwards.body.errors], [400, [
      { path: "query.from", message: "must be before query.to" },
    ]]);
    const level = await api.call("GET", "/api/v1/reports/interventions?confidence=0.5");
    assertEquals([level.status, level.body.errors[0].path], [400, "query.confidence"]);
    const date = await api.call("GET", "/api/v1/reports/interventions?from=yesterday");
    assertEquals([date.status, date.body.errors[0].path], [400, "query.from"]);
  });
});
