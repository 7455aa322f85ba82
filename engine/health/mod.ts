/**
 * Health: a declarative, versioned model turns recent signals into a 0–100
 * health score with named components and an at-risk score, kept as history.
 *
 * @example
 * ```ts
 * await ensureDefaultHealthModel(db);
 * await scoreAllCustomers(db, { asOf: clock.now(), batchSize: 5000, changeThreshold: 5 });
 * const health = await getCustomerHealth(db, "sup_000001", { historyDays: 90 });
 * await grantHealthBoosts(db, [{ source: "viral", key: "ref_1", customerId: "sup_000001",
 *   points: 5, reason: "Referred a supplier", validFrom, validUntil }]);
 * ```
 */
export {
  componentSchema,
  type HealthModel,
  healthModelSchema,
  type Measure,
  measureSchema,
  type Scale,
} from "./model_schema.ts";
export { type CompiledHealthModel, compileHealthModel } from "./model_sql.ts";
export {
  BOOST_COMPONENT,
  DEFAULT_BOOST_MAX_POINTS,
  grantHealthBoosts,
  type HealthBoost,
} from "./boosts.ts";
export {
  activateHealthModel,
  defaultHealthModel,
  ensureDefaultHealthModel,
  getActiveHealthModel,
} from "./models.ts";
export {
  type CustomerHealth,
  getCustomerHealth,
  getCustomersHealthJson,
  type HealthScore,
  type HealthTrend,
} from "./queries.ts";
export { CustomerHealthReader } from "./health_reader.ts";
export { type HealthScoringSummary, healthScoringSummary } from "./summary.ts";
export {
  type CustomerFilters,
  type CustomerSort,
  customerSorts,
  listCustomersWithHealth,
  type ListedCustomer,
} from "./customer_list.ts";
export {
  type BatchBounds,
  batchScorer,
  planBatches,
  type PlannedBatch,
  scoreAllCustomers,
  type ScoreOptions,
  type ScoreResult,
  type ScoringSettings,
  scoringSettings,
} from "./score.ts";
