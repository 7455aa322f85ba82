/**
 * Eleven more rules, with the 14 default ones the benchmark's 25 "realistic
 * rules": the kinds a success team adds after the defaults (upsell, season,
 * country, vendor type), with nesting, `in` lists and a fact reference.
 */
import type { PackedRule } from "../../engine/rules/mod.ts";

const notify = { type: "notify_owner", params: {} };
const tip = {
  type: "intervention",
  params: {
    template: "feature_tip",
    channel: "in-app",
    priority: 30,
    cooldownDays: 14,
    holdout: 0,
  },
};

/** The extra rules, as a pack would hold them. */
export const extraRules: PackedRule[] = [
  rule("upsell-starter-busy", 20, {
    all: [
      { fact: "plan", operator: "equal", value: "starter" },
      { fact: "healthScore", operator: "greaterThanInclusive", value: 80 },
      { fact: "health.engagement", operator: "greaterThanInclusive", value: 90 },
    ],
  }, { type: "tag_customer", params: { tag: "upsell" } }),
  rule("venue-peak-prep", 40, {
    all: [
      { fact: "vendorType", operator: "in", value: ["venue", "caterer", "planner"] },
      { fact: "daysUntilPeakSeason", operator: "lessThanInclusive", value: 90 },
      { fact: "health.adoption", operator: "lessThan", value: 50 },
    ],
  }, tip),
  rule("creative-peak-prep", 40, {
    all: [
      { fact: "vendorType", operator: "in", value: ["photographer", "videographer", "florist"] },
      { fact: "daysUntilPeakSeason", operator: "lessThanInclusive", value: 75 },
      { fact: "milestonesMissing", operator: "contains", value: "first_form_sent" },
    ],
  }, tip),
  rule("declining-fast", 75, {
    any: [
      { fact: "healthChange7d", operator: "lessThanInclusive", value: -15 },
      {
        all: [
          { fact: "healthChange30d", operator: "lessThanInclusive", value: -20 },
          { fact: "atRiskScore", operator: "greaterThan", value: 50 },
        ],
      },
    ],
  }, notify),
  rule("quiet-in-season", 65, {
    all: [
      { fact: "daysUntilPeakSeason", operator: "equal", value: 0 },
      { fact: "daysSinceLastLogin", operator: "greaterThanInclusive", value: 7 },
    ],
  }, notify),
  rule("billing-and-support", 85, {
    all: [
      { fact: "failedPayments30d", operator: "greaterThanInclusive", value: 1 },
      { fact: "openTickets", operator: "greaterThanInclusive", value: 1 },
    ],
  }, notify),
  rule("over-contacted", 95, {
    all: [{ fact: "interventionsLast7Days", operator: "greaterThanInclusive", value: 3 }],
  }, { type: "tag_customer", params: { tag: "do-not-contact" } }),
  rule("outside-core-markets", 10, {
    all: [
      { fact: "country", operator: "notIn", value: ["GB", "US", "AU", "IE", "CA"] },
      { fact: "tenureDays", operator: "lessThanInclusive", value: 30 },
    ],
  }, { type: "tag_customer", params: { tag: "international" } }),
  rule("engaged-not-adopting", 35, {
    all: [
      { fact: "health.engagement", operator: "greaterThan", value: { fact: "health.adoption" } },
      { fact: "health.adoption", operator: "lessThan", value: 40 },
      { not: { fact: "plan", operator: "equal", value: "starter" } },
    ],
  }, tip),
  rule("never-paid", 55, {
    all: [
      { fact: "tenureDays", operator: "greaterThan", value: 45 },
      { fact: "milestonesMissing", operator: "contains", value: "first_payment_received" },
      { fact: "mrr", operator: "greaterThan", value: 0 },
    ],
  }, notify),
  rule("healthy-low-mrr", 15, {
    all: [
      { fact: "healthScore", operator: "greaterThanInclusive", value: 70 },
      { fact: "mrr", operator: "lessThan", value: 30 },
      { fact: "milestonesAchieved", operator: "contains", value: "five_clients_added" },
    ],
  }, { type: "tag_customer", params: { tag: "upgrade-candidate" } }),
];

function rule(id: string, priority: number, conditions: unknown, event: unknown): PackedRule {
  return { id, name: id, definition: { conditions, event, priority }, source: "bench" };
}
