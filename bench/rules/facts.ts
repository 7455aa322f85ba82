/**
 * Facts for the rule benchmark: one object per customer as the evaluation
 * cycle will load them, in plausible ranges, with the gaps real data has
 * (no churn prediction yet for new customers, no trend before a month).
 */
import { type Random, seededRandom } from "../../engine/demo/mod.ts";
import { vendorTypes } from "../../engine/signals/mod.ts";

const MILESTONES = [
  "profile_completed",
  "first_client_added",
  "first_form_sent",
  "first_payment_received",
  "five_clients_added",
];
const COUNTRIES = ["GB", "GB", "GB", "US", "US", "AU", "IE", "CA", "NZ", "FR", "DE", "ES"];
const PLANS = ["starter", "starter", "professional", "scale"];

/** The facts of `count` customers, the same for the same seed. */
export function customerFacts(count: number, seed: number): Array<Record<string, unknown>> {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => oneCustomer(random));
}

function oneCustomer(random: Random): Record<string, unknown> {
  const tenureDays = random.int(0, 900);
  const achieved = MILESTONES.filter((_, i) => random.chance(0.85 - i * 0.12));
  const missing = MILESTONES.filter((m) => !achieved.includes(m));
  const healthScore = round2(random.next() * 100);
  const facts: Record<string, unknown> = {
    healthScore,
    atRiskScore: round2(Math.max(0, 100 - healthScore - 20 + random.next() * 40)),
    daysSinceLastLogin: random.chance(0.6) ? random.int(0, 6) : random.int(7, 120),
    tenureDays,
    plan: random.pick(PLANS),
    vendorType: random.pick(vendorTypes),
    country: random.pick(COUNTRIES),
    mrr: round2(random.next() * 250),
    milestonesAchieved: achieved,
    milestonesMissing: missing,
    milestonesOverdue: missing.filter(() => tenureDays > 14 && random.chance(0.7)),
    openTickets: random.poisson(0.6),
    failedPayments30d: random.chance(0.05) ? random.int(1, 3) : 0,
    daysUntilPeakSeason: random.chance(0.25) ? 0 : random.int(1, 300),
    interventionsLast7Days: random.poisson(0.4),
    interventionsLast30Days: random.poisson(1.2),
  };
  for (const component of ["engagement", "adoption", "milestones", "support", "billing"]) {
    facts[`health.${component}`] = round2(random.next() * 100);
  }
  if (tenureDays >= 30) {
    facts.healthChange7d = round2(random.next() * 30 - 18);
    facts.healthChange30d = round2(random.next() * 50 - 30);
  }
  if (tenureDays >= 60) {
    facts.churnProbability = round2(random.next() ** 2);
    facts.churnConfidence = round2(random.next());
  }
  return facts;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
