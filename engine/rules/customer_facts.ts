/**
 * Loading the facts of a batch of customers for rule evaluation: one
 * statement per batch builds each customer's facts as JSON from the customer,
 * the health scoring, the milestones and the usage events as they were at the
 * as-of time (now for a cycle, a past date for a simulation of it). A
 * fact without a value (no scoring yet, no trend before a month) is left out,
 * so a rule sees it as missing (churn facts before the first prediction, or
 * with no churn model).
 */
import type { Queryable } from "../db/mod.ts";
import { daysUntilPeakSeason } from "./season.ts";

/** One customer's facts, by fact name (the catalog's names). */
export type CustomerFacts = Record<string, unknown>;

// $1 after id, $2 last id (or $4 the ids), $3 as-of time. Customers active at $3 only.
const FACTS_SQL = `
with batch as (
  select c.id, c.plan, c.vendor_type, c.country, c.mrr, c.signup_date
  from customers c
  where ($4::text[] is null and c.id > $1 and c.id <= $2 or c.id = any($4::text[]))
    and c.signup_date <= $3::timestamptz
    and (c.churned_at is null or c.churned_at > $3::timestamptz)
),
milestones as (
  select m.customer_id,
    array_agg(m.milestone_key order by d.position) filter (where m.achieved_at <= $3) as achieved,
    array_agg(m.milestone_key order by d.position)
      filter (where m.achieved_at is null or m.achieved_at > $3) as missing,
    array_agg(m.milestone_key order by d.position)
      filter (where (m.achieved_at is null or m.achieved_at > $3) and m.due_at < $3) as overdue
  from success_milestones m join milestone_definitions d on d.key = m.milestone_key
  where m.customer_id in (select id from batch)
  group by m.customer_id
),
-- The last 90 days: every window but the login look-back, and most customers' last login.
events as (
  select e.customer_id,
    max(e.occurred_at) filter (where e.type = 'login') as last_login,
    count(*) filter (where e.type = 'support_ticket_opened') as opened,
    count(*) filter (where e.type = 'support_ticket_resolved') as resolved,
    count(*) filter (where e.type = 'payment_failed'
      and e.occurred_at > $3::timestamptz - interval '30 days') as failed
  from usage_events e
  -- The id range, not the batch's ids: one index range scan per partition
  -- instead of one probe per customer and partition.
  where ($4::text[] is null and e.customer_id > $1 and e.customer_id <= $2
      or e.customer_id = any($4::text[]))
    and e.occurred_at > $3::timestamptz - interval '90 days' and e.occurred_at <= $3::timestamptz
    and e.type in ('login', 'support_ticket_opened', 'support_ticket_resolved', 'payment_failed')
  group by e.customer_id
),
-- The rest of the year, only for those without a login in the last 90 days:
-- looking back a year for everyone read every monthly partition for each.
earlier_logins as (
  select e.customer_id, max(e.occurred_at) as last_login
  from usage_events e
  where e.customer_id in (
      select b.id from batch b left join events r on r.customer_id = b.id
      where r.last_login is null)
    and e.occurred_at > $3::timestamptz - interval '365 days'
    and e.occurred_at <= $3::timestamptz - interval '90 days'
    and e.type = 'login'
  group by e.customer_id
)
-- Plain columns: the facts object is built in TypeScript, cheaper than
-- building JSON here and parsing it there.
select b.id as customer_id, b.plan, b.vendor_type, b.country, b.mrr::float8 as mrr,
  $3::date - b.signup_date as tenure_days,
  l.score::float8 as health_score, l.at_risk_score::float8 as at_risk_score,
  l.components as health_components,
  round(l.score - (select h.score from customer_health h
    where h.customer_id = b.id and h.scored_at <= l.scored_at - interval '7 days'
    order by h.scored_at desc limit 1), 2)::float8 as health_change_7d,
  round(l.score - (select h.score from customer_health h
    where h.customer_id = b.id and h.scored_at <= l.scored_at - interval '30 days'
    order by h.scored_at desc limit 1), 2)::float8 as health_change_30d,
  coalesce(m.achieved, '{}') as milestones_achieved,
  coalesce(m.missing, '{}') as milestones_missing,
  coalesce(m.overdue, '{}') as milestones_overdue,
  -- No login in the last year: counted from signup, the last time we know of.
  $3::date - coalesce(e.last_login::date, o.last_login::date, b.signup_date)
    as days_since_last_login,
  greatest(coalesce(e.opened, 0) - coalesce(e.resolved, 0), 0)::int as open_tickets,
  coalesce(e.failed, 0)::int as failed_payments_30d,
  p.probability as churn_probability, p.confidence as churn_confidence,
  p.confident as churn_confident, p.model_version as churn_model_version
from batch b
-- The latest scoring at the as-of time (a past date's, for a simulation of that date).
left join lateral (
  select h.score, h.at_risk_score, h.components, h.scored_at from customer_health h
  where h.customer_id = b.id and h.scored_at <= $3::timestamptz
  order by h.scored_at desc limit 1
) l on true
left join milestones m on m.customer_id = b.id
left join events e on e.customer_id = b.id
left join earlier_logins o on o.customer_id = b.id
-- The latest prediction at the as-of time: the latest table for a cycle (the
-- churn stage ran just before); the log for a simulation of an earlier date.
left join lateral (
  select x.probability, x.confidence, x.confident, x.model_version
  from churn_predictions_latest x where x.customer_id = b.id and x.predicted_at <= $3
  -- Taken only when the first part has no row (limit 1 stops the append).
  union all
  select * from (
    select g.probability, g.confidence, g.confident, g.model_version
    from churn_prediction_logs g
    where g.customer_id = b.id and g.predicted_at <= $3
    order by g.predicted_at desc limit 1
  ) earlier
  limit 1
) p on true
order by b.id`;

/**
 * The facts of the customers active at `asOf` after `after` up to `last`, or
 * of the customers `ids` (those active), in id order.
 */
export async function loadCustomerFacts(
  db: Queryable,
  batch: { after: string; last: string } | { ids: readonly string[] },
  asOf: Date,
  extra?: ExtraFacts,
): Promise<Array<{ customerId: string; facts: CustomerFacts }>> {
  const range = "ids" in batch ? { after: "", last: "" } : batch;
  const rows = await db.query<FactsRow>(
    FACTS_SQL,
    [range.after, range.last, asOf, "ids" in batch ? batch.ids : null],
  );
  const loaded = rows.map((row) => ({ customerId: row.customer_id, facts: toFacts(row, asOf) }));
  if (!extra || loaded.length === 0) return loaded;
  const more = await extra(loaded.map((row) => row.customerId), asOf);
  for (const { customerId, facts } of loaded) {
    // null is "no value": left out, so a rule sees the fact as missing.
    for (const [name, value] of Object.entries(more[customerId] ?? {})) {
      if (value !== null && value !== undefined) facts[name] = value;
    }
  }
  return loaded;
}

/**
 * Facts from beyond the engine's tables (plugins' `facts` hooks), for a
 * batch of customers at `asOf`: by customer id, by fact name. It must not
 * throw for one source's failure: that source's facts are then missing.
 */
export type ExtraFacts = (
  customerIds: readonly string[],
  asOf: Date,
) => Promise<Record<string, Record<string, unknown>>>;

interface FactsRow {
  customer_id: string;
  plan: string;
  vendor_type: string;
  country: string;
  mrr: number;
  tenure_days: number;
  health_score: number | null;
  at_risk_score: number | null;
  health_components: Record<string, { score: number }> | null;
  health_change_7d: number | null;
  health_change_30d: number | null;
  milestones_achieved: string[];
  milestones_missing: string[];
  milestones_overdue: string[];
  days_since_last_login: number;
  open_tickets: number;
  failed_payments_30d: number;
  churn_probability: number | null;
  churn_confidence: number | null;
  churn_confident: boolean | null;
  churn_model_version: string | null;
}

/** A row as the catalog's facts; a fact without a value is left out (missing to rules). */
function toFacts(row: FactsRow, asOf: Date): CustomerFacts {
  const facts: CustomerFacts = {
    plan: row.plan,
    vendorType: row.vendor_type,
    country: row.country,
    mrr: row.mrr,
    tenureDays: row.tenure_days,
    milestonesAchieved: row.milestones_achieved,
    milestonesMissing: row.milestones_missing,
    milestonesOverdue: row.milestones_overdue,
    daysSinceLastLogin: row.days_since_last_login,
    openTickets: row.open_tickets,
    failedPayments30d: row.failed_payments_30d,
    daysUntilPeakSeason: daysUntilPeakSeason(row.country, asOf),
  };
  if (row.health_score !== null) facts.healthScore = row.health_score;
  if (row.at_risk_score !== null) facts.atRiskScore = row.at_risk_score;
  if (row.health_change_7d !== null) facts.healthChange7d = row.health_change_7d;
  if (row.health_change_30d !== null) facts.healthChange30d = row.health_change_30d;
  for (const [key, component] of Object.entries(row.health_components ?? {})) {
    facts[`health.${key}`] = component.score;
  }
  if (row.churn_probability !== null) {
    facts.churnProbability = Math.round(row.churn_probability * 1e4) / 1e4;
    facts.churnConfidence = Math.round(row.churn_confidence! * 1e4) / 1e4;
    facts.churnConfident = row.churn_confident;
    facts.churnModelVersion = row.churn_model_version;
  }
  return facts;
}
