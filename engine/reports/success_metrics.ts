/**
 * The daily success metrics of mv_success_metrics: refreshed by one engine
 * per scheduled tick (the first to claim the tick's slot in
 * scheduled_job_runs), read for a date range. REFRESH ... CONCURRENTLY works
 * on PGlite as on PostgreSQL (PGlite 0.5 runs the same PostgreSQL code), so
 * there is one statement for both.
 */
import type { Db, Queryable } from "../db/mod.ts";

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
  const { now, holder } = options;
  const [claimed] = await db.query<{ slot: Date }>(
    `insert into scheduled_job_runs (job, slot, holder, started_at)
     values ($1, date_trunc('minute', $2::timestamptz), $3, $4)
     on conflict do nothing returning slot`,
    [SUCCESS_METRICS_JOB, options.slot, holder, now()],
  );
  if (!claimed) return null;
  const started = performance.now();
  let outcome: Record<string, unknown> = {};
  try {
    await db.exec("refresh materialized view concurrently mv_success_metrics");
    const [count] = await db.query<{ days: number }>(
      "select count(*)::int as days from mv_success_metrics",
    );
    const result = {
      refreshedAt: now(),
      days: count?.days ?? 0,
      durationMs: Math.round(performance.now() - started),
    };
    outcome = { days: result.days, durationMs: result.durationMs };
    return result;
  } catch (error) {
    outcome = { error: error instanceof Error ? error.message : String(error) };
    throw error;
  } finally {
    await db.query(
      `update scheduled_job_runs set finished_at = $4, outcome = $5
       where job = $1 and slot = $2 and holder = $3`,
      [SUCCESS_METRICS_JOB, claimed.slot, holder, now(), outcome],
    );
  }
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
