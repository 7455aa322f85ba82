/**
 * Demo suppliers: who they are (kind, plan, country, signup) and how they
 * behave (how often they work in the product, how much of it they use, how
 * diligently they onboard, support and billing trouble, and when — if ever —
 * they churn). Behaviour drives the events in activity.ts; churn follows from
 * behaviour, so the data has a learnable churn signal.
 */
import { DAY_MS } from "../clock.ts";
import type { CustomerRecord } from "../signals/mod.ts";
import { supplierName } from "./names.ts";
import type { Random } from "./random.ts";

/** A demo supplier and its behaviour. */
export interface SupplierProfile {
  record: CustomerRecord;
  signup: Date;
  /** When the supplier stops (may be after the as-of date: not yet churned). */
  churnAt: Date | null;
  /** Probability of working in the product on a given weekday, before seasonality. */
  activity: number;
  /** How many distinct features the supplier rotates through. */
  breadth: number;
  /** 0–1: how quickly the supplier completes onboarding steps. */
  diligence: number;
  /** Support tickets per 30 days. */
  supportRate: number;
  /** Probability that a monthly subscription payment fails. */
  billingRisk: number;
  /** Wedding season peaks in the northern or southern summer. */
  southern: boolean;
}

/** What the templates' locale variants key on, per country. */
const LOCALES: Record<string, string> = {
  GB: "en-GB",
  US: "en-US",
  AU: "en-AU",
  CA: "en-CA",
  IE: "en-IE",
  NZ: "en-NZ",
  FR: "fr-FR",
  ES: "es-ES",
  IT: "it-IT",
  DE: "de-DE",
};

const countries = {
  GB: { weight: 40, currency: "GBP", zones: ["Europe/London"] },
  US: {
    weight: 22,
    currency: "USD",
    zones: ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"],
  },
  AU: { weight: 10, currency: "AUD", zones: ["Australia/Sydney", "Australia/Melbourne"] },
  CA: { weight: 8, currency: "CAD", zones: ["America/Toronto", "America/Vancouver"] },
  IE: { weight: 6, currency: "EUR", zones: ["Europe/Dublin"] },
  NZ: { weight: 4, currency: "NZD", zones: ["Pacific/Auckland"] },
  FR: { weight: 4, currency: "EUR", zones: ["Europe/Paris"] },
  ES: { weight: 3, currency: "EUR", zones: ["Europe/Madrid"] },
  IT: { weight: 3, currency: "EUR", zones: ["Europe/Rome"] },
} as const;

const vendorWeights = {
  photographer: 22,
  venue: 13,
  planner: 10,
  florist: 10,
  videographer: 8,
  caterer: 7,
  dj: 7,
  hair_makeup: 7,
  baker: 5,
  band: 3,
  stationer: 3,
  officiant: 3,
  other: 2,
} as const;

const plans = {
  starter: { weight: 50, mrr: 29 },
  professional: { weight: 35, mrr: 79 },
  scale: { weight: 15, mrr: 199 },
} as const;

/** Days of history a supplier can have at most (inside the 730-day default retention). */
export const MAX_TENURE_DAYS = 700;

/** The id of the demo supplier number `index` (0-based). */
export function demoCustomerId(index: number): string {
  return `sup_${String(index + 1).padStart(7, "0")}`;
}

/** Generates supplier number `index` as of `asOf`. */
export function generateSupplier(random: Random, index: number, asOf: Date): SupplierProfile {
  const country = random.weighted(
    Object.fromEntries(Object.entries(countries).map(([k, v]) => [k, v.weight])) as Record<
      keyof typeof countries,
      number
    >,
  );
  const place = countries[country];
  const vendorType = random.weighted(vendorWeights);
  const plan = random.weighted(
    Object.fromEntries(Object.entries(plans).map(([k, v]) => [k, v.weight])) as Record<
      keyof typeof plans,
      number
    >,
  );
  const tenureDays = signupTenure(random);
  const signup = new Date(startOfDay(asOf).getTime() - tenureDays * DAY_MS);
  const activity = clamp(0.05 + random.next() ** 1.6 * 0.9, 0.05, 0.95);
  const breadth = 1 + Math.round(activity * 6 * random.next() + random.next() * 2);
  const diligence = clamp(random.next() * 0.6 + activity * 0.5, 0, 1);
  const supportRate = random.chance(0.2) ? 1 + random.next() * 3 : random.next() * 0.8;
  const billingRisk = random.chance(0.12) ? 0.15 + random.next() * 0.35 : random.next() * 0.04;
  // Monthly churn hazard, driven by the behaviour above, so churn is predictable.
  const hazard = 0.012 * (plan === "starter" ? 1.4 : plan === "scale" ? 0.6 : 1) *
    (activity < 0.2 ? 3.2 : activity < 0.35 ? 1.8 : 0.7) *
    (billingRisk > 0.1 ? 2.4 : 1) * (supportRate > 1.5 ? 1.6 : 1) *
    (diligence < 0.3 ? 1.8 : 1);
  const churnAfterDays = Math.round(-Math.log(1 - random.next()) / (hazard / 30));
  const churnAt = churnAfterDays < tenureDays + 365
    ? new Date(
      signup.getTime() + Math.max(20, churnAfterDays) * DAY_MS + random.int(9, 17) * 3_600_000,
    )
    : null;
  const id = demoCustomerId(index);
  // Annual billing discount for some, paid add-ons for others.
  const mrr = plans[plan].mrr * (random.chance(0.3) ? 0.85 : 1) + 10 * random.poisson(0.3);
  const record: CustomerRecord = {
    id,
    externalId: `cus_${(index * 2654435761 >>> 0).toString(16).padStart(8, "0")}${index}`,
    name: supplierName(random, vendorType),
    vendorType,
    plan,
    mrr: Math.round(mrr * 100) / 100,
    currency: place.currency,
    country,
    timeZone: random.pick(place.zones),
    signupDate: signup.toISOString().slice(0, 10),
    churnedAt: churnAt && churnAt.getTime() <= asOf.getTime() ? churnAt.toISOString() : null,
    attributes: {
      teamSize: 1 + random.poisson(activity * 3),
      weddingsPerYear: 8 + random.poisson(20 + activity * 60),
      acquisitionChannel: random.weighted({ organic: 45, referral: 25, paid: 20, partner: 10 }),
      // Derived, not drawn: adding them left every other value of the population as it was.
      // example.com is reserved for examples: nothing sent to it reaches anyone.
      email: `${id}@example.com`,
      locale: LOCALES[country],
    },
  };
  return {
    record,
    signup,
    churnAt,
    activity,
    breadth,
    diligence,
    supportRate,
    billingRisk,
    southern: country === "AU" || country === "NZ",
  };
}

/** Signup spread over the last MAX_TENURE_DAYS, more of it recent (the product grows). */
function signupTenure(random: Random): number {
  return Math.min(MAX_TENURE_DAYS, Math.floor(MAX_TENURE_DAYS * random.next() ** 1.4));
}

function clamp(x: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, x));
}

/** Midnight UTC of `date`'s day. */
export function startOfDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}
