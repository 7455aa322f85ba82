/**
 * Success and ROI reports: daily success metrics (mv_success_metrics and its
 * scheduled refresh), monthly churn, cohorts, ROI of interventions against
 * their holdout groups, as rows that go out as JSON or CSV, and the cache
 * that serves them with the seed's TTLs. docs/reports.md defines them.
 *
 * @example
 * ```ts
 * await refreshSuccessMetrics(db, { slot: new Date(), now: () => new Date(), holder: "me" });
 * const days = await dailyMetrics(db, { from: "2026-06-01", to: "2026-06-30" });
 * const csv = toCsv(dailyMetricsColumns, days);
 * ```
 */
export {
  type DailyMetrics,
  dailyMetrics,
  dailyMetricsColumns,
  lastSuccessMetricsRefresh,
  refreshSuccessMetrics,
  SUCCESS_METRICS_JOB,
  type SuccessMetricsRefresh,
} from "./success_metrics.ts";
export { type MonthlyChurn, monthlyChurn, monthlyChurnColumns } from "./monthly_churn.ts";
export {
  type Cohort,
  cohortColumns,
  type CohortDimension,
  cohortDimensions,
  cohortReport,
} from "./cohorts.ts";
export { roiColumns, type RoiLine, type RoiOptions, type RoiReport, roiReport } from "./roi.ts";
export { totalUplift, type WeeklyUplift, weeklyUplift } from "./uplift.ts";
export { type Cached, type CacheStatus, ReportCache, reportKey, reportTtls } from "./cache.ts";
export { type CsvValue, toCsv } from "./csv.ts";
