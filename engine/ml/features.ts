/**
 * The churn model's features: one definition, used to build the training
 * snapshots and to score, so the two can never drift apart. Each feature is
 * a column of one set-based statement per batch of customers, computed from
 * the customer, their daily usage counts (usage_daily) and health as they
 * were at the as-of time (a past snapshot date for training, now for
 * scoring). Usage windows are whole UTC days before the as-of day: "the last
 * 7 days" at any time on the 10th are the 3rd to the 9th, so a day's signals
 * count from the next day on, and a training snapshot (taken at midnight)
 * sees exactly what a scoring that day sees. A value that
 * does not exist (no health score yet, no NPS answer) is NULL in SQL and NaN
 * in the model's input, which the trees route as they learned to.
 */
import type { Queryable } from "../db/mod.ts";
import { vendorTypes } from "../signals/mod.ts";

/** How a feature's value is made. */
export interface FeatureDefinition {
  name: string;
  description: string;
  /** number: as is; category: the position of the value in `levels` (unknown: missing). */
  kind: "number" | "category";
  unit?: string;
  levels?: readonly string[];
  /** Its SQL over the batch's row `b`, events `e`, health `h`, milestones `m`. */
  sql: string;
}

/** The input contract's name, kept in the ONNX file: a model built for other features is refused. */
export const FEATURE_CONTRACT = "cs-churn-features-v2";

// Known levels: a plan the model does not know is missing to it, never a wrong number.
const PLANS = ["starter", "professional", "scale", "enterprise"] as const;
// The product's list, in its order: a type added at its end keeps every older code.
const VENDOR_TYPES = vendorTypes;

const levelSql = (column: string, levels: readonly string[]) =>
  `(array_position(array[${levels.map((l) => `'${l}'`).join(", ")}]::text[], ${column}) - 1)`;

// Counted features: the usage_daily column summed and the window (days), all aggregated in one pass.
const COUNTED: Record<string, [column: string, days: number]> = {
  logins_7d: ["logins", 7],
  logins_30d: ["logins", 30],
  features_used_30d: ["features_used", 30],
  clients_added_90d: ["clients_added", 90],
  forms_sent_30d: ["forms_sent", 30],
  payments_failed_90d: ["payments_failed", 90],
  tickets_opened_90d: ["tickets_opened", 90],
  // Not a feature itself: open_tickets uses it.
  tickets_resolved_90d: ["tickets_resolved", 90],
};

function counted(name: keyof typeof COUNTED & string, description: string): FeatureDefinition {
  return { name, kind: "number", description, sql: `coalesce(e.${name}, 0)` };
}

/** The features, in the model's input order. */
export const churnFeatures: readonly FeatureDefinition[] = [
  {
    name: "tenure_days",
    kind: "number",
    unit: "days",
    description: "Days since signup",
    sql: "$4::date - b.signup_date",
  },
  { name: "mrr", kind: "number", unit: "currency", description: "Monthly revenue", sql: "b.mrr" },
  {
    name: "plan",
    kind: "category",
    levels: PLANS,
    description: "Plan (starter < professional < scale < enterprise)",
    sql: levelSql("b.plan", PLANS),
  },
  {
    name: "vendor_type",
    kind: "category",
    levels: VENDOR_TYPES,
    description: "Kind of wedding supplier",
    sql: levelSql("b.vendor_type", VENDOR_TYPES),
  },
  counted("logins_7d", "Logins in the last 7 days"),
  counted("logins_30d", "Logins in the last 30 days"),
  {
    name: "logins_prev_30d",
    kind: "number",
    description: "Logins 31 to 60 days ago (with logins_30d: the trend)",
    sql: "coalesce(e.logins_prev_30d, 0)",
  },
  {
    name: "active_days_30d",
    kind: "number",
    unit: "days",
    description: "Days with any activity in the last 30 days",
    sql: "coalesce(e.active_days_30d, 0)",
  },
  {
    name: "days_since_last_event",
    kind: "number",
    unit: "days",
    description:
      "Days from the last signal of any kind to the start of the as-of day (90 when none in 90 days)",
    sql:
      "coalesce(extract(epoch from $4::date::timestamp at time zone 'UTC' - e.last_event) / 86400, 90)",
  },
  counted("features_used_30d", "Product features used in the last 30 days"),
  counted("clients_added_90d", "Clients added in the last 90 days"),
  counted("forms_sent_30d", "Forms sent in the last 30 days"),
  counted("payments_failed_90d", "Failed payments in the last 90 days"),
  counted("tickets_opened_90d", "Support tickets opened in the last 90 days"),
  {
    name: "open_tickets",
    kind: "number",
    description: "Support tickets opened and not resolved (last 90 days)",
    sql: "greatest(coalesce(e.tickets_opened_90d, 0) - coalesce(e.tickets_resolved_90d, 0), 0)",
  },
  {
    name: "nps_last",
    kind: "number",
    unit: "0–10",
    description: "The latest NPS answer in the last 90 days (missing when none)",
    sql: "e.nps_last",
  },
  {
    name: "health_score",
    kind: "number",
    unit: "points",
    description: "The latest health score (missing before the first scoring)",
    sql: "h.score",
  },
  {
    name: "health_change_30d",
    kind: "number",
    unit: "points",
    description: "Health score now minus 30 days before",
    sql: "h.score - h.score_30d_ago",
  },
  {
    name: "milestones_achieved",
    kind: "number",
    description: "Onboarding milestones achieved",
    sql: "coalesce(m.achieved, 0)",
  },
];

/** The feature names, in input order. */
export const churnFeatureNames: readonly string[] = churnFeatures.map((f) => f.name);

// Days of the window: the `days` whole UTC days before the as-of day ($4,
// a date: unlike `$3::date` it is a constant the planner folds, not a time
// zone conversion per row and window).
const window = (days: number) => `d.day >= $4::date - ${days}`;

/**
 * The statement for customers selected by `which`: an id range ($1 after,
 * $2 last; a cycle's shard) or a list ($1 ids). Two statements rather than
 * one with an `or`: the `or` kept PostgreSQL from reading the index in
 * order. The aggregates are the kind a hash aggregate does in one pass. $3 is
 * the as-of time, $4 its UTC date; customers active at $3 only.
 */
function featuresSql(which: "range" | "ids"): string {
  // Each table is limited to the batch's customers itself, so each is read by its own index.
  const inBatch = (column: string) =>
    which === "range" ? `${column} > $1 and ${column} <= $2` : `${column} = any($1::text[])`;
  return `
with batch as (
  select c.id, c.plan, c.vendor_type, c.mrr::float8 as mrr, c.signup_date
  from customers c
  where ${inBatch("c.id")}
    and c.signup_date <= $3::timestamptz
    and (c.churned_at is null or c.churned_at > $3::timestamptz)
),
events as (
  select d.customer_id,
    ${
    Object.entries(COUNTED).map(([name, [column, days]]) =>
      `sum(d.${column}) filter (where ${window(days)}) as ${name}`
    ).join(",\n    ")
  },
    sum(d.logins) filter (where ${window(60)} and not ${window(30)}) as logins_prev_30d,
    count(*) filter (where ${window(30)}) as active_days_30d,
    max(d.last_event_at) as last_event,
    max(d.nps_key) % 16 as nps_last
  from usage_daily d
  where ${inBatch("d.customer_id")}
    and ${window(90)} and d.day < $4::date
  group by d.customer_id
),
milestones as (
  select m.customer_id, count(*) as achieved
  from success_milestones m
  where ${inBatch("m.customer_id")} and m.achieved and m.achieved_at <= $3
  group by m.customer_id
)
select b.id as customer_id,
  ${churnFeatures.map((f) => `(${f.sql})::float8 as "${f.name}"`).join(",\n  ")}
from batch b
left join events e on e.customer_id = b.id
left join milestones m on m.customer_id = b.id
-- The health score at the as-of time: the latest table's when it is not newer
-- (a cycle scores health just before churn), else looked up in the history.
left join customer_health_latest hl on hl.customer_id = b.id and ${inBatch("hl.customer_id")}
  and hl.scored_at <= $3::timestamptz
left join lateral (
  select l.score, l.scored_at from customer_health l
  where hl.customer_id is null and l.customer_id = b.id and l.scored_at <= $3::timestamptz
  order by l.scored_at desc limit 1
) earlier on true
left join lateral (
  select coalesce(hl.score, earlier.score)::float8 as score,
    (select p.score::float8 from customer_health p
      where p.customer_id = b.id
        and p.scored_at <= coalesce(hl.scored_at, earlier.scored_at) - interval '30 days'
      order by p.scored_at desc limit 1) as score_30d_ago
) h on true
order by b.id`;
}

const RANGE_SQL = featuresSql("range");
// The list has one parameter fewer: the as-of time is $2 there, its date $3.
const IDS_SQL = featuresSql("ids").replaceAll("$3", "$2").replaceAll("$4", "$3");

/** Feature vectors of a batch: customer ids and their rows, one after another. */
export interface FeatureBatch {
  customerIds: string[];
  /** `customerIds.length` rows of `churnFeatureNames.length` values; NaN when missing. */
  values: Float32Array;
}

/**
 * The feature vectors of the customers active at `asOf` after `after` up to
 * `last`, or of the customers `ids` (those active), in id order.
 */
export async function buildFeatures(
  db: Queryable,
  batch: { after: string; last: string } | { ids: readonly string[] },
  asOf: Date,
): Promise<FeatureBatch> {
  const day = asOf.toISOString().slice(0, 10);
  const rows = await db.query<Record<string, number | string | null>>(
    "ids" in batch ? IDS_SQL : RANGE_SQL,
    "ids" in batch ? [batch.ids, asOf, day] : [batch.after, batch.last, asOf, day],
  );
  const width = churnFeatures.length;
  const values = new Float32Array(rows.length * width);
  const customerIds: string[] = [];
  rows.forEach((row, r) => {
    customerIds.push(String(row.customer_id));
    churnFeatures.forEach((feature, i) => {
      const value = row[feature.name];
      values[r * width + i] = value === null || value === undefined ? NaN : Number(value);
    });
  });
  return { customerIds, values };
}
