/**
 * The benchmark's 25 rules written by hand as plain JavaScript, the way a
 * developer would hard-code them: the ceiling the compiled evaluator is
 * measured against. Each test follows json-rules-engine's semantics for the
 * values the benchmark's facts hold (numbers, strings, lists, or missing): a
 * numeric comparison on a missing fact does not hold, `notIn` does, and
 * `contains` needs a list.
 */
import type { Firing } from "../../engine/rules/mod.ts";

type Facts = Readonly<Record<string, unknown>>;
type Test = (f: Facts) => boolean;

const n = (value: unknown): value is number => typeof value === "number";
const has = (list: unknown, item: string) => Array.isArray(list) && list.includes(item);

/** The hand-written test of each rule, by rule id. */
export const handWrittenTests: Record<string, Test> = {
  // rules/engagement.json
  "engagement-drop-before-peak": (f) =>
    n(f.daysUntilPeakSeason) && f.daysUntilPeakSeason <= 60 && n(f.healthChange30d) &&
    f.healthChange30d <= -10,
  "inactive-before-peak": (f) =>
    n(f.daysUntilPeakSeason) && f.daysUntilPeakSeason <= 45 && n(f.daysSinceLastLogin) &&
    f.daysSinceLastLogin >= 14,
  "low-adoption": (f) =>
    n(f.tenureDays) && f.tenureDays >= 30 && n(f["health.adoption"]) && f["health.adoption"] < 30,
  "win-back-inactive": (f) =>
    n(f.daysSinceLastLogin) && f.daysSinceLastLogin >= 45 && n(f.interventionsLast30Days) &&
    f.interventionsLast30Days < 2,
  "champion-detected": (f) =>
    n(f.healthScore) && f.healthScore >= 85 && n(f.tenureDays) && f.tenureDays >= 180 &&
    has(f.milestonesAchieved, "five_clients_added"),
  // rules/onboarding.json
  "onboarding-profile-overdue": (f) =>
    n(f.tenureDays) && f.tenureDays <= 45 && has(f.milestonesOverdue, "profile_completed"),
  "onboarding-first-client-missing": (f) =>
    n(f.tenureDays) && f.tenureDays >= 14 && f.tenureDays <= 60 &&
    has(f.milestonesMissing, "first_client_added"),
  "onboarding-stalled-call": (f) =>
    n(f.tenureDays) && f.tenureDays >= 30 && f.tenureDays <= 90 &&
    has(f.milestonesOverdue, "first_form_sent") && n(f.healthScore) && f.healthScore < 50,
  "milestone-five-clients": (f) =>
    has(f.milestonesAchieved, "five_clients_added") && n(f.tenureDays) && f.tenureDays <= 120,
  // rules/risk.json
  "payment-failed": (f) => n(f.failedPayments30d) && f.failedPayments30d >= 1,
  "churn-high-confident": (f) =>
    n(f.churnProbability) && f.churnProbability >= 0.7 && n(f.churnConfidence) &&
    f.churnConfidence >= 0.6,
  "churn-high-unsure": (f) =>
    n(f.churnProbability) && f.churnProbability >= 0.7 && n(f.churnConfidence) &&
    f.churnConfidence < 0.6,
  "at-risk-high-value": (f) => n(f.atRiskScore) && f.atRiskScore >= 60 && n(f.mrr) && f.mrr >= 100,
  "support-overload": (f) =>
    n(f.openTickets) &&
    (f.openTickets >= 3 ||
      (f.openTickets >= 2 && n(f["health.support"]) && f["health.support"] < 40)),
  // bench/rules/extra_rules.ts
  "upsell-starter-busy": (f) =>
    f.plan === "starter" && n(f.healthScore) && f.healthScore >= 80 &&
    n(f["health.engagement"]) && f["health.engagement"] >= 90,
  "venue-peak-prep": (f) =>
    (f.vendorType === "venue" || f.vendorType === "caterer" || f.vendorType === "planner") &&
    n(f.daysUntilPeakSeason) && f.daysUntilPeakSeason <= 90 && n(f["health.adoption"]) &&
    f["health.adoption"] < 50,
  "creative-peak-prep": (f) =>
    (f.vendorType === "photographer" || f.vendorType === "videographer" ||
      f.vendorType === "florist") &&
    n(f.daysUntilPeakSeason) && f.daysUntilPeakSeason <= 75 &&
    has(f.milestonesMissing, "first_form_sent"),
  "declining-fast": (f) =>
    (n(f.healthChange7d) && f.healthChange7d <= -15) ||
    (n(f.healthChange30d) && f.healthChange30d <= -20 && n(f.atRiskScore) && f.atRiskScore > 50),
  "quiet-in-season": (f) =>
    f.daysUntilPeakSeason === 0 && n(f.daysSinceLastLogin) && f.daysSinceLastLogin >= 7,
  "billing-and-support": (f) =>
    n(f.failedPayments30d) && f.failedPayments30d >= 1 && n(f.openTickets) &&
    f.openTickets >= 1,
  "over-contacted": (f) => n(f.interventionsLast7Days) && f.interventionsLast7Days >= 3,
  "outside-core-markets": (f) =>
    f.country !== "GB" && f.country !== "US" && f.country !== "AU" && f.country !== "IE" &&
    f.country !== "CA" && n(f.tenureDays) && f.tenureDays <= 30,
  "engaged-not-adopting": (f) =>
    n(f["health.engagement"]) && n(f["health.adoption"]) &&
    f["health.engagement"] > f["health.adoption"] && f["health.adoption"] < 40 &&
    f.plan !== "starter",
  "never-paid": (f) =>
    n(f.tenureDays) && f.tenureDays > 45 && has(f.milestonesMissing, "first_payment_received") &&
    n(f.mrr) && f.mrr > 0,
  "healthy-low-mrr": (f) =>
    n(f.healthScore) && f.healthScore >= 70 && n(f.mrr) && f.mrr < 30 &&
    has(f.milestonesAchieved, "five_clients_added"),
};

/**
 * The hand-written rule set: the tests in priority order (highest first,
 * ties in the order given), each with its firing built once.
 */
export function handWrittenRuleSet(firings: readonly Firing[]): (facts: Facts) => Firing[] {
  const ordered = firings
    .map((firing, i) => ({ firing, i, test: handWrittenTests[firing.ruleId] }))
    .sort((a, b) => b.firing.priority - a.firing.priority || a.i - b.i);
  for (const { firing, test } of ordered) {
    if (!test) throw new Error(`no hand-written test for ${firing.ruleId}`);
  }
  const tests = ordered.map(({ firing, test }) => [test!, firing] as const);
  return (facts) => {
    const fired: Firing[] = [];
    for (const [test, firing] of tests) if (test(facts)) fired.push(firing);
    return fired;
  };
}
