/**
 * The churn model's features: one definition, used to build the training
 * snapshots and to score, so the two can never drift apart. Each feature is
 * a column of one set-based statement per batch of customers, computed from
 * the customer, their usage signals and health as they were at the as-of
 * time (a past snapshot date for training, now for scoring). A value that
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
export const FEATURE_CONTRACT = "cs-churn-features-v1";

// Known levels: a plan the model does not know is missing to it, never a wrong number.
const PLANS = ["starter", "professional", "scale", "enterprise"] as const;
// The product's list, in its order: a type added at its end keeps every older code.
const VENDOR_TYPES = vendorTypes;

const levelSql = (column: string, levels: readonly string[]) =>
  `(array_position(array[${levels.map((l) => `'${l}'`).join(", ")}]::text[], ${column}) - 1)`;

// Counted features: event type and window (days), all aggregated in one pass.
const COUNTED: Record<string, [type: string, days: number]> = {
  logins_7d: ["login", 7],
  logins_30d: ["login", 30],
  features_used_30d: ["feature_used", 30],
  clients_added_90d: ["client_added", 90],
  forms_sent_30d: ["form_sent", 30],
  payments_failed_90d: ["payment_failed", 90],
  tickets_opened_90d: ["support_ticket_opened", 90],
  // Not a feature itself: open_tickets uses it.
  tickets_resolved_90d: ["support_ticket_resolved", 90],
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
    sql: "$3::date - b.signup_date",
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
    description: "Days since the last signal of any kind (90 when none in 90 days)",
    sql: "coalesce(extract(epoch from $3::timestamptz - e.last_event) / 86400, 90)",
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

const window = (days: number) => `e.occurred_at > $3::timestamptz - interval '${days} days'`;

/**
 * The statement for customers selected by `which`: an id range ($1 after,
 * $2 last; a cycle's shard) or a list ($1 ids). Two statements rather than
 * one with an `or`: the `or` kept PostgreSQL from reading the events index
 * in order, which cost 40% of a shard's time. The aggregates are the kind a
 * hash aggregate can do in one pass — no count(distinct), no ordered
 * aggregate — so 300,000 events of a 5,000-customer shard are never sorted.
 * $3 is the as-of time; customers active at $3 only.
 */
function featuresSql(which: "range" | "ids"): string {
  const customers = which === "range" ? "c.id > $1 and c.id <= $2" : "c.id = any($1::text[])";
  const events = which === "range"
    ? "e.customer_id > $1 and e.customer_id <= $2"
    : "e.customer_id = any($1::text[])";
  return `
with batch as (
  select c.id, c.plan, c.vendor_type, c.mrr::float8 as mrr, c.signup_date
  from customers c
  where ${customers}
    and c.signup_date <= $3::timestamptz
    and (c.churned_at is null or c.churned_at > $3::timestamptz)
),
events as (
  select e.customer_id,
    ${
    Object.entries(COUNTED).map(([name, [type, days]]) =>
      `count(*) filter (where e.type = '${type}' and ${window(days)}) as ${name}`
    ).join(",\n    ")
  },
    count(*) filter (where e.type = 'login' and ${window(60)} and not ${window(30)})
      as logins_prev_30d,
    -- One bit per day of the last 30 (day 0 is the as-of date): active days by counting bits.
    bit_count(bit_or(1::bigint << ($3::date - (e.occurred_at at time zone 'UTC')::date))
      filter (where ${window(30)})::bit(64)) as active_days_30d,
    max(e.occurred_at) as last_event,
    -- The latest NPS answer: the largest (time, score) pair, score in the low 4 bits.
    max(extract(epoch from e.occurred_at)::bigint * 16 + (e.properties ->> 'score')::int)
      filter (where e.type = 'nps_submitted') % 16 as nps_last
  from usage_events e
  where ${events}
    and ${window(90)} and e.occurred_at <= $3::timestamptz
  group by e.customer_id
),
milestones as (
  select m.customer_id, count(*) filter (where m.achieved_at <= $3) as achieved
  from success_milestones m
  where m.customer_id in (select id from batch)
  group by m.customer_id
)
select b.id as customer_id,
  ${churnFeatures.map((f) => `(${f.sql})::float8 as "${f.name}"`).join(",\n  ")}
from batch b
left join events e on e.customer_id = b.id
left join milestones m on m.customer_id = b.id
left join lateral (
  select l.score::float8 as score,
    (select p.score::float8 from customer_health p
      where p.customer_id = b.id and p.scored_at <= l.scored_at - interval '30 days'
      order by p.scored_at desc limit 1) as score_30d_ago
  from customer_health l
  where l.customer_id = b.id and l.scored_at <= $3::timestamptz
  order by l.scored_at desc limit 1
) h on true
order by b.id`;
}

const RANGE_SQL = featuresSql("range");
// The list has one parameter fewer: the as-of time is $2 there.
const IDS_SQL = featuresSql("ids").replaceAll("$3", "$2");

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
  const rows = await db.query<Record<string, number | string | null>>(
    "ids" in batch ? IDS_SQL : RANGE_SQL,
    "ids" in batch ? [batch.ids, asOf] : [batch.after, batch.last, asOf],
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
