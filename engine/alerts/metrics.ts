/**
 * The metrics alert rules watch: each defined once, here, with its unit and
 * how it is computed (SQL over the engine's tables, or the event hub's
 * status). A metric without data (no active model, no sent intervention)
 * has no value, and a rule over it neither opens nor resolves an alert.
 */
import { DAY_MS } from "../clock.ts";
import type { Queryable } from "../db/mod.ts";
import type { PluginDeliveryStatus } from "../plugins/mod.ts";

/** What a metric can read while it is computed. */
export interface MetricContext {
  db: Queryable;
  now: Date;
  /** The event hub's per-plugin delivery status; absent when the hub does not run here. */
  hubStatus?: () => Promise<PluginDeliveryStatus[]>;
}

/** Dimensions a metric can be grouped by: one alert per value. */
export const groupDimensions = ["plan", "vendor_type"] as const;

/** A dimension, e.g. `"plan"`. */
export type GroupDimension = typeof groupDimensions[number];

/** One value of a metric: `group` is the dimension's value, or "" ungrouped. */
export interface MetricValue {
  group: string;
  value: number;
}

/** A named metric. */
export interface MetricDefinition {
  name: string;
  description: string;
  unit: "ratio";
  /** The dimensions `groupBy` may name for this metric. */
  groupBy: readonly GroupDimension[];
  compute(ctx: MetricContext, groupBy: GroupDimension | null): Promise<MetricValue[]>;
}

// The window of churn_rate and intervention_success: the seed's monthly churn rate.
const WINDOW_DAYS = 30;
// At-risk scores run 0 (safe) to 100; from here on a customer counts as at risk.
export const AT_RISK_SCORE = 50;

// A grouping column chosen from a closed list, never from input text.
function groupColumn(groupBy: GroupDimension | null): string {
  return groupBy === null ? "''" : `c.${groupBy}`;
}

async function ratios(
  db: Queryable,
  sql: string,
  params: unknown[],
): Promise<MetricValue[]> {
  const rows = await db.query<{ grp: string; num: number; den: number }>(sql, params);
  return rows.filter((r) => Number(r.den) > 0).map((r) => ({
    group: r.grp,
    value: Number(r.num) / Number(r.den),
  }));
}

const churnRate: MetricDefinition = {
  name: "churn_rate",
  description: `Customers who churned in the last ${WINDOW_DAYS} days, as a share of the ` +
    "customers active at the window's start (signed up before it, not churned before it)",
  unit: "ratio",
  groupBy: groupDimensions,
  compute({ db, now }, groupBy) {
    const start = new Date(now.getTime() - WINDOW_DAYS * DAY_MS);
    return ratios(
      db,
      `select ${groupColumn(groupBy)} as grp,
         count(*) filter (where c.churned_at > $1 and c.churned_at <= $2)::int as num,
         count(*)::int as den
       from customers c
       where c.signup_date <= $1::timestamptz and (c.churned_at is null or c.churned_at > $1)
       group by 1`,
      [start, now],
    );
  },
};

const atRiskShare: MetricDefinition = {
  name: "at_risk_share",
  description: "Active customers whose latest at-risk score is at least " +
    `${AT_RISK_SCORE}, as a share of the active customers with a score`,
  unit: "ratio",
  groupBy: groupDimensions,
  compute({ db }, groupBy) {
    return ratios(
      db,
      `select ${groupColumn(groupBy)} as grp,
         count(*) filter (where h.at_risk_score >= $1)::int as num, count(*)::int as den
       from customers c join customer_health_latest h on h.customer_id = c.id
       where c.churned_at is null group by 1`,
      [AT_RISK_SCORE],
    );
  },
};

const mlAccuracy: MetricDefinition = {
  name: "ml_accuracy",
  description: "The active churn model's realized accuracy: its newest performance " +
    "measurement against the outcomes known since (GET /api/v1/ml/performance)",
  unit: "ratio",
  groupBy: [],
  async compute({ db }) {
    const [row] = await db.query<{ accuracy: number | null }>(
      `select p.accuracy from churn_model_performance p
       join churn_models m on m.version = p.model_version and m.status = 'active'
       order by p.computed_at desc limit 1`,
    );
    return row?.accuracy == null ? [] : [{ group: "", value: Number(row.accuracy) }];
  },
};

const interventionSuccess: MetricDefinition = {
  name: "intervention_success",
  description: `Interventions sent in the last ${WINDOW_DAYS} days that the customer ` +
    "clicked, replied to, acted on or converted from, as a share of those sent",
  unit: "ratio",
  groupBy: [],
  compute({ db, now }) {
    return ratios(
      db,
      `select '' as grp, count(*) filter (where exists (
           select 1 from intervention_outcomes o where o.intervention_id = i.id
             and o.kind in ('clicked', 'replied', 'action', 'converted')))::int as num,
         count(*)::int as den
       from success_interventions i
       where not i.test and i.status in ('sent', 'delivered') and i.sent_at > $1`,
      [new Date(now.getTime() - WINDOW_DAYS * DAY_MS)],
    );
  },
};

const errorRate: MetricDefinition = {
  name: "error_rate",
  description: "Intervention sends of the last 24 hours that failed (retrying or given up), " +
    "as a share of the sends attempted",
  unit: "ratio",
  groupBy: [],
  compute({ db, now }) {
    return ratios(
      db,
      `select '' as grp, count(*) filter (where status in ('failed', 'dead'))::int as num,
         count(*)::int as den
       from success_interventions
       where not test and decision = 'send' and attempts > 0 and planned_at > $1`,
      [new Date(now.getTime() - DAY_MS)],
    );
  },
};

const integrationHealth: MetricDefinition = {
  name: "integration_health",
  description: "Plugins the event hub delivers to whose delivery is healthy (no failure in a " +
    "row, circuit breaker closed), as a share of those plugins",
  unit: "ratio",
  groupBy: [],
  async compute({ hubStatus }) {
    if (!hubStatus) return [];
    const plugins = await hubStatus();
    if (plugins.length === 0) return [];
    const healthy = plugins.filter((p) =>
      p.consecutiveFailures === 0 && (p.delivery !== "durable" || p.breaker === "closed")
    );
    return [{ group: "", value: healthy.length / plugins.length }];
  },
};

/** Every metric an alert rule may name, by name. */
export const alertMetrics: ReadonlyMap<string, MetricDefinition> = new Map(
  [churnRate, mlAccuracy, integrationHealth, interventionSuccess, atRiskShare, errorRate].map(
    (m) => [m.name, m],
  ),
);
