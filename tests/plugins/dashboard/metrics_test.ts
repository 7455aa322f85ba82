import { assertEquals } from "../../helpers/assert.ts";
import type { DomainEventType } from "../../../engine/events/mod.ts";
import type { PluginEvent } from "../../../engine/plugins/mod.ts";
import { MetricsRollup } from "../../../plugins/dashboard/mod.ts";

let nextId = 0;
function event(
  type: DomainEventType,
  customerId: string | null,
  payload: Record<string, unknown> = {},
): PluginEvent {
  const at = "2026-06-15T12:00:00.000Z";
  return { id: ++nextId, type, customerId, payload, occurredAt: at, recordedAt: at };
}

function health(
  score: number,
  previous: number | null,
  atRisk: number,
  previousAtRisk: number | null,
) {
  return {
    score,
    previousScore: previous,
    atRiskScore: atRisk,
    previousAtRiskScore: previousAtRisk,
  };
}

Deno.test("MetricsRollup - at-risk customers and average health move with each customer's scores", () => {
  const rollup = new MetricsRollup();
  assertEquals(rollup.apply(event("health.changed", "sup_1", health(40, null, 80, null))), [
    { metric: "atRiskCustomers", previous: 0, value: 1, change: 1 },
    { metric: "averageHealth", previous: null, value: 40, change: null },
  ]);
  assertEquals(rollup.apply(event("health.changed", "sup_2", health(80, null, 10, null))), [
    { metric: "averageHealth", previous: 40, value: 60, change: 20 },
  ]);
  // sup_1 recovers: no longer above 70, and its score moves the average.
  assertEquals(rollup.apply(event("health.changed", "sup_1", health(70, 40, 70, 80))), [
    { metric: "atRiskCustomers", previous: 1, value: 0, change: -1 },
    { metric: "averageHealth", previous: 60, value: 75, change: 15 },
  ]);
  assertEquals(rollup.values().atRiskCustomers, 0);
});

Deno.test("MetricsRollup - a customer first seen joins with its previous scores, so the change is its own", () => {
  const rollup = new MetricsRollup();
  rollup.apply(event("health.changed", "sup_1", health(50, null, 20, null)));
  // sup_9 was at risk before the feed started; this event takes it out of risk.
  assertEquals(rollup.apply(event("health.changed", "sup_9", health(60, 30, 40, 90))), [
    { metric: "atRiskCustomers", previous: 1, value: 0, change: -1 },
    { metric: "averageHealth", previous: 40, value: 55, change: 15 },
  ]);
  assertEquals(
    rollup.apply(event("churn.predicted", "sup_9", { probability: 0.7, previousProbability: 0.2 })),
    [{ metric: "likelyToChurn", previous: 0, value: 1, change: 1 }],
  );
  assertEquals(
    rollup.apply(event("churn.predicted", "sup_3", { probability: 0.1, previousProbability: 0.6 })),
    [{ metric: "likelyToChurn", previous: 2, value: 1, change: -1 }],
  );
});

Deno.test("MetricsRollup - counters count events; a send reported twice counts once; holdouts are no planned send", () => {
  const rollup = new MetricsRollup();
  rollup.apply(event("customer.updated", "sup_1", { created: true }));
  rollup.apply(event("customer.updated", "sup_1", { created: false }));
  rollup.apply(event("milestone.achieved", "sup_1", { milestone: "first_client_added" }));
  rollup.apply(event("rule.fired", "sup_1", { ruleId: "r" }));
  rollup.apply(event("intervention.planned", "sup_1", { interventionId: 1, holdout: false }));
  rollup.apply(event("intervention.planned", "sup_2", { interventionId: 2, holdout: true }));
  rollup.apply(event("intervention.sent", "sup_1", { interventionId: 1, status: "sent" }));
  assertEquals(rollup.apply(event("intervention.sent", "sup_1", { interventionId: 1 })), []);
  rollup.apply(event("intervention.failed", "sup_3", { interventionId: 3 }));
  assertEquals(rollup.apply(event("rule.disabled", null, { ruleId: "r" })), []);
  assertEquals(rollup.values(), {
    atRiskCustomers: 0,
    averageHealth: null,
    likelyToChurn: 0,
    customersAdded: 1,
    milestonesAchieved: 1,
    rulesFired: 1,
    interventionsPlanned: 1,
    interventionsSent: 1,
    interventionsFailed: 1,
  });
});

Deno.test("MetricsRollup - an event without the scores it should carry changes nothing", () => {
  const rollup = new MetricsRollup();
  assertEquals(rollup.apply(event("health.changed", "sup_1", { score: "high" })), []);
  assertEquals(rollup.apply(event("health.changed", null, health(40, null, 80, null))), []);
  assertEquals(rollup.apply(event("churn.predicted", "sup_1", {})), []);
});
