/**
 * The ROI report: per rule, the retained revenue its holdout uplift
 * supports, next to what its sends cost. Uplift and its interval come from
 * the interventions report (engine/interventions/report.ts), not a second
 * computation; one grouped query adds each rule's MRR at risk and cost.
 *
 * Credit, precisely: when the retention uplift at `windowDays` is
 * significant (its interval excludes zero) and positive,
 *   credited = uplift × treated MRR × windowDays / 30
 * where treated MRR is the summed MRR of the treated customers whose
 * retention at that window is measured (one term per intervention): the
 * revenue of the extra customers the uplift says were kept, over the window
 * the uplift was measured in, and no further. Otherwise credit is zero.
 */
import type { Queryable } from "../db/mod.ts";
import type { InterventionCosts } from "../intervention_costs.ts";
import { interventionReport, type RetentionComparison } from "../interventions/mod.ts";
import type { ConfidenceLevel } from "../statistics.ts";

/** Which interventions the report covers, and how it credits them. */
export interface RoiOptions {
  /** Planned at or after. */
  from?: Date | undefined;
  /** Planned before. */
  to?: Date | undefined;
  /** The retention window the uplift is measured at. */
  windowDays: 30 | 60 | 90;
  confidence: ConfidenceLevel;
  costs: InterventionCosts;
}

/** One rule's line (docs/reports.md defines each column). */
export interface RoiLine {
  ruleId: string;
  treatedMeasured: number;
  treatedRetained: number;
  holdoutMeasured: number;
  holdoutRetained: number;
  uplift: number | null;
  upliftLow: number | null;
  upliftHigh: number | null;
  significant: boolean;
  treatedMrr: number;
  creditedRevenue: number;
  creditedRevenueLow: number;
  creditedRevenueHigh: number;
  sent: number;
  cost: number;
  roi: number | null;
  roiLow: number | null;
}

/** The columns of the ROI report, in CSV order. */
export const roiColumns: ReadonlyArray<keyof RoiLine> = [
  "ruleId",
  "treatedMeasured",
  "treatedRetained",
  "holdoutMeasured",
  "holdoutRetained",
  "uplift",
  "upliftLow",
  "upliftHigh",
  "significant",
  "treatedMrr",
  "creditedRevenue",
  "creditedRevenueLow",
  "creditedRevenueHigh",
  "sent",
  "cost",
  "roi",
  "roiLow",
];

/** The report: a line per rule and their total (`ruleId` "total"). */
export interface RoiReport {
  from: string | null;
  to: string | null;
  windowDays: number;
  confidence: number;
  costs: InterventionCosts;
  rows: RoiLine[];
  total: RoiLine;
}

interface RuleSums {
  ruleId: string;
  treatedMrr: number;
  sent: number;
  cost: number;
}

/** The ROI of the interventions `options` select (test sends never count). */
export async function roiReport(db: Queryable, options: RoiOptions): Promise<RoiReport> {
  const { from, to, windowDays, confidence, costs } = options;
  const interventions = await interventionReport(db, { from, to, confidence });
  const sums = new Map(
    (await ruleSums(db, options)).map((sums) => [sums.ruleId, sums]),
  );
  const rows = interventions.byRule.map((line) => {
    const window = line.retention.find((r) => r.days === windowDays)!;
    const rule = sums.get(line.ruleId) ?? { treatedMrr: 0, sent: 0, cost: 0 };
    return roiLine(line.ruleId, window, rule, windowDays);
  });
  return {
    from: from?.toISOString() ?? null,
    to: to?.toISOString() ?? null,
    windowDays,
    confidence: Number(confidence),
    costs,
    rows,
    total: totalLine(rows),
  };
}

function roiLine(
  ruleId: string,
  window: RetentionComparison,
  rule: Omit<RuleSums, "ruleId">,
  windowDays: number,
): RoiLine {
  const interval = window.confidenceInterval;
  const credited = window.significant && window.uplift !== null && window.uplift > 0 &&
    interval !== null;
  const revenue = (share: number) => money(share * rule.treatedMrr * windowDays / 30);
  const creditedRevenue = credited ? revenue(window.uplift!) : 0;
  const creditedRevenueLow = credited ? revenue(interval.low) : 0;
  return {
    ruleId,
    treatedMeasured: window.treated.measured,
    treatedRetained: window.treated.retained,
    holdoutMeasured: window.holdout.measured,
    holdoutRetained: window.holdout.retained,
    uplift: window.uplift,
    upliftLow: interval?.low ?? null,
    upliftHigh: interval?.high ?? null,
    significant: window.significant,
    treatedMrr: money(rule.treatedMrr),
    creditedRevenue,
    creditedRevenueLow,
    creditedRevenueHigh: credited ? revenue(interval.high) : 0,
    sent: rule.sent,
    cost: money(rule.cost),
    roi: returnOn(creditedRevenue, rule.cost),
    roiLow: returnOn(creditedRevenueLow, rule.cost),
  };
}

function totalLine(rows: readonly RoiLine[]): RoiLine {
  const sum = (key: keyof RoiLine) =>
    rows.reduce((total, row) => total + (typeof row[key] === "number" ? row[key] : 0), 0);
  const creditedRevenue = money(sum("creditedRevenue"));
  const creditedRevenueLow = money(sum("creditedRevenueLow"));
  const cost = money(sum("cost"));
  return {
    ruleId: "total",
    treatedMeasured: sum("treatedMeasured"),
    treatedRetained: sum("treatedRetained"),
    holdoutMeasured: sum("holdoutMeasured"),
    holdoutRetained: sum("holdoutRetained"),
    // Uplifts of different rules do not add up: only their credited revenue does.
    uplift: null,
    upliftLow: null,
    upliftHigh: null,
    significant: false,
    treatedMrr: money(sum("treatedMrr")),
    creditedRevenue,
    creditedRevenueLow,
    creditedRevenueHigh: money(sum("creditedRevenueHigh")),
    sent: sum("sent"),
    cost,
    roi: returnOn(creditedRevenue, cost),
    roiLow: returnOn(creditedRevenueLow, cost),
  };
}

/** Per rule: the MRR of its treated, measured customers and what its sends cost. */
async function ruleSums(db: Queryable, options: RoiOptions): Promise<RuleSums[]> {
  const { "*": other = 0, ...byChannel } = options.costs;
  const params: unknown[] = [Object.keys(byChannel), Object.values(byChannel), other];
  const where = ["not i.test", "i.decision in ('send', 'holdout')"];
  if (options.from) where.push(`i.planned_at >= $${params.push(options.from)}`);
  if (options.to) where.push(`i.planned_at < $${params.push(options.to)}`);
  // windowDays is one of three literals, never user text.
  const retained = `e.retained_${options.windowDays}d`;
  return await db.query<RuleSums>(
    `select coalesce(i.rule_id, '') as "ruleId",
       coalesce(sum(c.mrr) filter (where i.decision = 'send' and ${retained} is not null), 0)
         ::float8 as "treatedMrr",
       count(i.sent_at)::int as sent,
       coalesce(sum(coalesce(k.amount, $3)) filter (where i.sent_at is not null), 0)::float8
         as cost
     from success_interventions i
     join customers c on c.id = i.customer_id
     left join intervention_effects e on e.intervention_id = i.id
     left join unnest($1::text[], $2::float8[]) as k (channel, amount) on k.channel = i.channel
     where ${where.join(" and ")}
     group by 1`,
    params,
  );
}

const money = (value: number) => Math.round(value * 100) / 100;
const returnOn = (revenue: number, cost: number) =>
  cost > 0 ? Math.round((revenue - cost) / cost * 10_000) / 10_000 : null;
