/**
 * Demo data: a reproducible population of wedding suppliers with seasonal
 * usage, onboarding, support and billing behaviour and a churn outcome.
 *
 * @example
 * ```ts
 * await seedDemoData(db, { customers: 500, days: 180, seed: 42, asOf: new Date(), historyWeeks: 12, scoring: scoringSettings(config) });
 * ```
 */
export { type DemoEvent, generateActivity } from "./activity.ts";
export { demoCustomerId, generateSupplier, type SupplierProfile } from "./population.ts";
export { type Random, seededRandom } from "./random.ts";
export {
  isDatabaseEmpty,
  seedDemoData,
  type SeedOptions,
  type SeedPhase,
  type SeedResult,
} from "./seed.ts";
