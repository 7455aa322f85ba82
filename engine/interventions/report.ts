/**
 * The interventions report: per rule and per template, what was sent and
 * what came of it, and whether it works — retention of the customers sent it
 * against the rule's holdout group, with a confidence interval. One grouped
 * query (grouping sets) does the counting; only the intervals are computed
 * here, from the groups' totals.
 */
import type { Queryable } from "../db/mod.ts";
import {
  type ConfidenceLevel,
  confidenceLevels,
  type Interval,
  meanDifference,
  proportionDifference,
} from "../statistics.ts";

/** Retention windows measured, in days. */
export const retentionWindows = [30, 60, 90] as const;

/** Which interventions a report covers. */
export interface ReportFilters {
  /** Planned at or after. */
  from?: Date | undefined;
  /** Planned before. */
  to?: Date | undefined;
  ruleId?: string | undefined;
  templateId?: string | undefined;
  channel?: string | undefined;
  confidence: ConfidenceLevel;
}

/** Retention of one group at one window. */
export interface GroupRetention {
  /** Interventions whose window has passed. */
  measured: number;
  retained: number;
  rate: number | null;
}

/** Sends against holdout at one window. */
export interface RetentionComparison {
  days: number;
  treated: GroupRetention;
  holdout: GroupRetention;
  /** Treated rate − holdout rate; null until both groups have a measure. */
  uplift: number | null;
  confidenceInterval: Interval | null;
  /** The interval excludes zero. */
  significant: boolean;
}

/** Health change 14 days after, sends against holdout. */
export interface HealthComparison {
  treated: { measured: number; meanChange: number | null };
  holdout: { measured: number; meanChange: number | null };
  difference: number | null;
  confidenceInterval: Interval | null;
}

/** What a report line counts (the report route documents each). */
export interface ReportCounts {
  planned: number;
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
  replied: number;
  failed: number;
  heldOut: number;
}

/** One rule's or template's line of the report. */
export interface ReportLine extends ReportCounts {
  /** Opened / sent (email). */
  openRate: number | null;
  /** Clicked / sent. */
  clickRate: number | null;
  /** Share of treated customers retained 30 days after: the seed's "intervention success". */
  successRate: number | null;
  retention: RetentionComparison[];
  healthChange14d: HealthComparison;
}

/** The report. */
export interface InterventionReport {
  from: string | null;
  to: string | null;
  confidence: number;
  byRule: Array<{ ruleId: string } & ReportLine>;
  byTemplate: Array<{ templateId: string; channel: string } & ReportLine>;
}

interface Row extends ReportCounts {
  by_rule: boolean;
  rule_id: string | null;
  template_id: string | null;
  channel: string | null;
  // And per window and group, measured and retained: t30_n, t30_r, h30_n, h30_r, …
  t_health_n: number;
  t_health_mean: number | null;
  t_health_var: number | null;
  h_health_n: number;
  h_health_mean: number | null;
  h_health_var: number | null;
}

/** The report over the interventions `filters` select (test sends never count). */
export async function interventionReport(
  db: Queryable,
  filters: ReportFilters,
): Promise<InterventionReport> {
  const params: unknown[] = [];
  const where = ["not i.test", "i.decision in ('send', 'holdout')"];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace("?", `$${params.length}`));
  };
  if (filters.from) add("i.planned_at >= ?", filters.from);
  if (filters.to) add("i.planned_at < ?", filters.to);
  if (filters.ruleId) add("i.rule_id = ?", filters.ruleId);
  if (filters.templateId) add("i.template_id = ?", filters.templateId);
  if (filters.channel) add("i.channel = ?", filters.channel);
  const rows = await db.query<Row>(reportSql(where.join(" and ")), params);
  const z = confidenceLevels[filters.confidence];
  const report: InterventionReport = {
    from: filters.from?.toISOString() ?? null,
    to: filters.to?.toISOString() ?? null,
    confidence: Number(filters.confidence),
    byRule: [],
    byTemplate: [],
  };
  for (const row of rows) {
    const line = reportLine(row, z);
    if (row.by_rule) report.byRule.push({ ruleId: row.rule_id ?? "", ...line });
    else {
      report.byTemplate.push({
        templateId: row.template_id ?? "",
        channel: row.channel ?? "",
        ...line,
      });
    }
  }
  return report;
}

function reportSql(where: string): string {
  const send = "i.decision = 'send'";
  const hold = "i.decision = 'holdout'";
  const retention = retentionWindows.flatMap((days) => [
    `count(*) filter (where ${send} and e.retained_${days}d is not null)::int as t${days}_n`,
    `count(*) filter (where ${send} and e.retained_${days}d)::int as t${days}_r`,
    `count(*) filter (where ${hold} and e.retained_${days}d is not null)::int as h${days}_n`,
    `count(*) filter (where ${hold} and e.retained_${days}d)::int as h${days}_r`,
  ]);
  const change = "(e.health_after_14d - e.health_before)";
  const health = [["t", send], ["h", hold]].flatMap(([group, condition]) => [
    `count(${change}) filter (where ${condition})::int as ${group}_health_n`,
    `avg(${change}) filter (where ${condition})::float8 as ${group}_health_mean`,
    `var_samp(${change}) filter (where ${condition})::float8 as ${group}_health_var`,
  ]);
  return `
    select grouping(i.rule_id) = 0 as by_rule, i.rule_id, i.template_id, i.channel,
      count(*) filter (where ${send})::int as planned,
      count(i.sent_at)::int as sent,
      count(i.delivered_at)::int as delivered,
      count(i.opened_at)::int as opened,
      count(i.clicked_at)::int as clicked,
      count(i.replied_at)::int as replied,
      count(*) filter (where i.status = 'dead')::int as failed,
      count(*) filter (where ${hold})::int as "heldOut",
      ${[...retention, ...health].join(",\n      ")}
    from success_interventions i
    left join intervention_effects e on e.intervention_id = i.id
    where ${where}
    group by grouping sets ((i.rule_id), (i.template_id, i.channel))
    order by by_rule desc, i.rule_id, i.template_id, i.channel`;
}

function reportLine(row: Row, z: number): ReportLine {
  const sent = row.sent;
  const rate = (part: number, whole: number) => whole > 0 ? round(part / whole) : null;
  const retention = retentionWindows.map((days): RetentionComparison => {
    const count = (column: string) => (row as unknown as Record<string, number>)[column] ?? 0;
    const treated = { measured: count(`t${days}_n`), retained: count(`t${days}_r`) };
    const holdout = { measured: count(`h${days}_n`), retained: count(`h${days}_r`) };
    const compared = proportionDifference(
      { successes: treated.retained, trials: treated.measured },
      { successes: holdout.retained, trials: holdout.measured },
      z,
    );
    return {
      days,
      treated: { ...treated, rate: rate(treated.retained, treated.measured) },
      holdout: { ...holdout, rate: rate(holdout.retained, holdout.measured) },
      uplift: roundOrNull(compared?.difference),
      confidenceInterval: roundInterval(compared?.interval),
      significant: compared !== null &&
        (compared.interval.low > 0 || compared.interval.high < 0),
    };
  });
  const health = meanDifference(
    { n: row.t_health_n, mean: row.t_health_mean ?? 0, variance: row.t_health_var ?? 0 },
    { n: row.h_health_n, mean: row.h_health_mean ?? 0, variance: row.h_health_var ?? 0 },
    z,
  );
  const { planned, delivered, opened, clicked, replied, failed, heldOut } = row;
  return {
    planned,
    sent,
    delivered,
    opened,
    clicked,
    replied,
    failed,
    heldOut,
    openRate: rate(row.opened, sent),
    clickRate: rate(row.clicked, sent),
    successRate: retention[0]!.treated.rate,
    retention,
    healthChange14d: {
      treated: { measured: row.t_health_n, meanChange: roundOrNull(row.t_health_mean) },
      holdout: { measured: row.h_health_n, meanChange: roundOrNull(row.h_health_mean) },
      difference: roundOrNull(health?.difference),
      confidenceInterval: roundInterval(health?.interval),
    },
  };
}

// Four decimals: a rate to a hundredth of a percent is all a report needs,
// and 0.6 reads better than 0.6000000000000001.
const round = (value: number) => Math.round(value * 10_000) / 10_000;
const roundOrNull = (value: number | null | undefined) =>
  value === null || value === undefined ? null : round(value);
const roundInterval = (interval: Interval | undefined) =>
  interval ? { low: round(interval.low), high: round(interval.high) } : null;
