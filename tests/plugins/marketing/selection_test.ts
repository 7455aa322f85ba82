import { assertEquals } from "../../helpers/assert.ts";
import { checkPluginConfig, firstParty } from "../../../engine/plugins/mod.ts";
import marketing, {
  type MarketingSettings,
  marketingSettings,
  selectEvent,
} from "../../../plugins/marketing/mod.ts";
import manifest from "../../../plugins/marketing/plugin.json" with { type: "json" };
import { pickFields } from "../../../plugins/marketing/fields.ts";

const plugin = firstParty(manifest, marketing, "plugins/marketing");

function settings(config: Record<string, unknown> = {}): MarketingSettings {
  return marketingSettings(
    { MARKETING_API_ENDPOINT: "https://api.example.com/marketing" },
    checkPluginConfig(plugin.manifest, config),
  );
}

const health = (
  score: number,
  atRiskScore: number,
  previousScore: number | null,
  previousAtRiskScore: number | null,
) => ({
  type: "health.changed" as const,
  payload: { score, atRiskScore, previousScore, previousAtRiskScore, modelVersion: "1.0.0" },
});

Deno.test("marketing settings - fill in the defaults of plugin.json", () => {
  const s = settings();
  assertEquals(s.endpoint, "https://api.example.com/marketing");
  assertEquals(s.signingSecret, null);
  assertEquals(s.selection, {
    kinds: new Set(["at_risk", "champion", "milestone"]),
    minAtRiskScore: 60,
    minChurnProbability: 0.7,
    requireConfident: true,
    championMinScore: 80,
    milestones: new Set(),
  });
  assertEquals(s.fields, [
    "customerId",
    "plan",
    "vendorType",
    "country",
    "score",
    "atRiskScore",
    "probability",
    "confident",
    "milestone",
  ]);
  assertEquals(s.unsubscribedChannels, ["*"]);
  assertEquals(
    [s.batchSize, s.maxWaitMs, s.flushIntervalMs, s.requestTimeoutMs, s.retryInitialMs],
    [100, 5_000, 1_000, 10_000, 1_000],
  );
  assertEquals([s.retryMaxMs, s.keepDays], [300_000, 7]);
});

Deno.test("selectEvent() - at risk once, when the at-risk score crosses up to the threshold", () => {
  const s = settings().selection;
  assertEquals(selectEvent(health(40, 65, null, null), s), "at_risk");
  assertEquals(selectEvent(health(40, 60, 50, 59.9), s), "at_risk");
  assertEquals(selectEvent(health(35, 75, 40, 65), s), null);
  assertEquals(selectEvent(health(50, 59, 55, 40), s), null);
});

Deno.test("selectEvent() - a champion once, when the score crosses up to minScore while not at risk", () => {
  const s = settings().selection;
  assertEquals(selectEvent(health(85, 10, null, null), s), "champion");
  assertEquals(selectEvent(health(80, 10, 79, 12), s), "champion");
  assertEquals(selectEvent(health(90, 5, 84, 8), s), null);
  // Was high but at risk, now not at risk: a champion now.
  assertEquals(selectEvent(health(85, 20, 82, 61), s), "champion");
  assertEquals(selectEvent(health(85, 61, 70, 20), s), "at_risk");
  assertEquals(
    selectEvent(health(85, 10, 70, 10), settings({ champion: { minScore: 90 } }).selection),
    null,
  );
});

Deno.test("selectEvent() - churn predictions high enough and confident are at risk", () => {
  const churn = (probability: number, confident: boolean) => ({
    type: "churn.predicted" as const,
    payload: { probability, previousProbability: 0.5, confident, modelVersion: "1.0.2" },
  });
  const s = settings().selection;
  assertEquals(selectEvent(churn(0.7, true), s), "at_risk");
  assertEquals(selectEvent(churn(0.95, false), s), null);
  assertEquals(selectEvent(churn(0.69, true), s), null);
  const lax = settings({ atRisk: { requireConfident: false, minChurnProbability: 0.9 } }).selection;
  assertEquals(selectEvent(churn(0.95, false), lax), "at_risk");
  assertEquals(selectEvent(churn(0.85, true), lax), null);
});

Deno.test("selectEvent() - milestones: every one, or those configured; kinds can be turned off", () => {
  const achieved = (milestone: string) => ({
    type: "milestone.achieved" as const,
    payload: { milestone, userId: null, achievedAt: "2026-06-15T09:00:00.000Z" },
  });
  assertEquals(selectEvent(achieved("first_client_added"), settings().selection), "milestone");
  const only = settings({ milestones: ["five_clients_added"] }).selection;
  assertEquals(selectEvent(achieved("first_client_added"), only), null);
  assertEquals(selectEvent(achieved("five_clients_added"), only), "milestone");
  const noMilestones = settings({ events: ["at_risk"] }).selection;
  assertEquals(selectEvent(achieved("five_clients_added"), noMilestones), null);
  assertEquals(selectEvent(health(85, 10, null, null), noMilestones), null);
  assertEquals(selectEvent(health(40, 65, null, null), noMilestones), "at_risk");
  // Payloads that are not what docs/events.md says select nothing.
  assertEquals(
    selectEvent({ type: "health.changed", payload: { score: "high" } }, settings().selection),
    null,
  );
});

Deno.test("pickFields() - takes scalars only, and attributes by name", () => {
  const customer = {
    customerId: "sup_1",
    externalId: null,
    name: "Rose Petal Florists",
    plan: "starter",
    vendorType: "florist",
    mrr: 29,
    currency: "GBP",
    country: "GB",
    timeZone: "Europe/London",
    signupDate: "2026-01-10",
    attributes: { email: "rose@example.com", team: { size: 3 }, teamSize: 3 },
  };
  assertEquals(
    pickFields(
      ["customerId", "externalId", "score", "milestone", "attributes.team", "attributes.teamSize"],
      customer,
      { score: 40, milestone: { nested: "no" } },
    ),
    { customerId: "sup_1", externalId: null, score: 40, attributes: { teamSize: 3 } },
  );
});
