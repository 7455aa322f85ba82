/**
 * The daily success metrics of mv_success_metrics: refreshed by one engine
 * per scheduled tick (the first to claim the tick's slot in
 * scheduled_job_runs), read for a date range. REFRESH ... CONCURRENTLY works
 * on PGlite as on PostgreSQL (PGlite 0.5 runs the same PostgreSQL code), so
 * there is one statement for both.
 */
import { type Db, errorMessage, type Queryable, runOncePerTick } from "../db/mod.ts";

/** The job name of the refresh in scheduled_job_runs. */
export const SUCCESS_METRICS_JOB = "success-metrics-refresh";

/** One day of mv_success_metrics (docs/reports.md defines each column). */
export interface DailyMetrics {
  date: string;
  avgHealth: number | null;
  scoredCustomers: number;
  atRiskCount: number;
  activeCustomers: number;
  newCustomers: number;
  churnedCustomers: number;
  churnRate: number | null;
  interventionsPlanned: number;
  interventionsSent: number;
  interventionsHeldOut: number;
  successMeasured: number;
  successRetained: number;
  successRate: number | null;
}

/** The columns of the daily metrics, in CSV order. */
export const dailyMetricsColumns: ReadonlyArray<keyof DailyMetrics> = [
  "date",
  "avgHealth",
  "scoredCustomers",
  "atRiskCount",
  "activeCustomers",
  "newCustomers",
  "churnedCustomers",
  "churnRate",
  "interventionsPlanned",
  "interventionsSent",
  "interventionsHeldOut",
  "successMeasured",
  "successRetained",
  "successRate",
];

/** What a refresh did. */
export interface SuccessMetricsRefresh {
  refreshedAt: Date;
  days: number;
  durationMs: number;
}

/**
 * Refreshes the view for the tick `slot` (to the minute), unless another
 * engine claimed that slot: then null. The run and its outcome are recorded.
 */
export async function refreshSuccessMetrics(
  db: Db,
  options: { slot: Date; now: () => Date; holder: string },
): Promise<SuccessMetricsRefresh | null> {
  const { now } = options;
  return await runOncePerTick(
    db,
    { job: SUCCESS_METRICS_JOB, slot: options.slot, now, holder: options.holder },
    async () => {
      const started = performance.now();
      await db.exec("refresh materialized view concurrently mv_success_metrics");
      const [count] = await db.query<{ days: number }>(
        "select count(*)::int as days from mv_success_metrics",
      );
      return {
        refreshedAt: now(),
        days: count?.days ?? 0,
        durationMs: Math.round(performance.now() - started),
      };
    },
    (ended) =>
      "result" in ended
        ? { days: ended.result.days, durationMs: ended.result.durationMs }
        : { error: errorMessage(ended.error) },
  );
}

/** When the view was last refreshed successfully; null when never. */
export async function lastSuccessMetricsRefresh(db: Queryable): Promise<Date | null> {
  const [row] = await db.query<{ at: Date | null }>(
    `select max(finished_at) as at from scheduled_job_runs
     where job = $1 and finished_at is not null and outcome->>'error' is null`,
    [SUCCESS_METRICS_JOB],
  );
  return row?.at ? new Date(row.at) : null;
}

/** The days of [from, to] (UTC dates, both included) the view holds, oldest first. */
export async function dailyMetrics(
  db: Queryable,
  range: { from: string; to: string },
): Promise<DailyMetrics[]> {
  return await db.query<DailyMetrics>(
    `select to_char(date, 'YYYY-MM-DD') as date,
       round(avg_health::numeric, 2)::float8 as "avgHealth",
       scored_customers as "scoredCustomers", at_risk_count as "atRiskCount",
       active_customers as "activeCustomers", new_customers as "newCustomers",
       churned_customers as "churnedCustomers",
       round(churn_rate::numeric, 4)::float8 as "churnRate",
       interventions_planned as "interventionsPlanned",
       interventions_sent as "interventionsSent",
       interventions_held_out as "interventionsHeldOut",
       success_measured as "successMeasured", success_retained as "successRetained",
       round(success_rate::numeric, 4)::float8 as "successRate"
     from mv_success_metrics
     where date between $1::date and $2::date
     order by date`,
    [range.from, range.to],
  );
}
