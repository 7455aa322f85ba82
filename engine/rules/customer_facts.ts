/**
 * Loading the facts of a batch of customers for rule evaluation: one
 * statement per batch builds each customer's facts as JSON from the customer,
 * the latest health scoring, the milestones and the recent usage events. A
 * fact without a value (no scoring yet, no trend before a month) is left out,
 * so a rule sees it as missing. Facts of stages not built yet (churn
 * prediction, interventions) are missing for everyone.
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
    jsonb_agg(m.milestone_key order by d.position) filter (where m.achieved) as achieved,
    jsonb_agg(m.milestone_key order by d.position) filter (where not m.achieved) as missing,
    jsonb_agg(m.milestone_key order by d.position)
      filter (where not m.achieved and m.due_at < $3::timestamptz) as overdue
  from success_milestones m join milestone_definitions d on d.key = m.milestone_key
  where m.customer_id in (select id from batch)
  group by m.customer_id
),
events as (
  select e.customer_id,
    max(e.occurred_at) filter (where e.type = 'login') as last_login,
    count(*) filter (where e.type = 'support_ticket_opened'
      and e.occurred_at > $3::timestamptz - interval '90 days') as opened,
    count(*) filter (where e.type = 'support_ticket_resolved'
      and e.occurred_at > $3::timestamptz - interval '90 days') as resolved,
    count(*) filter (where e.type = 'payment_failed'
      and e.occurred_at > $3::timestamptz - interval '30 days') as failed
  from usage_events e
  where e.customer_id in (select id from batch)
    and e.occurred_at > $3::timestamptz - interval '365 days' and e.occurred_at <= $3::timestamptz
    and e.type in ('login', 'support_ticket_opened', 'support_ticket_resolved', 'payment_failed')
  group by e.customer_id
)
select b.id as customer_id, b.country,
  jsonb_strip_nulls(jsonb_build_object(
    'plan', b.plan,
    'vendorType', b.vendor_type,
    'country', b.country,
    'mrr', b.mrr::float8,
    'tenureDays', $3::date - b.signup_date,
    'healthScore', l.score::float8,
    'atRiskScore', l.at_risk_score::float8,
    'healthChange7d', round(l.score - (select h.score from customer_health h
      where h.customer_id = b.id and h.scored_at <= l.scored_at - interval '7 days'
      order by h.scored_at desc limit 1), 2)::float8,
    'healthChange30d', round(l.score - (select h.score from customer_health h
      where h.customer_id = b.id and h.scored_at <= l.scored_at - interval '30 days'
      order by h.scored_at desc limit 1), 2)::float8,
    'milestonesAchieved', coalesce(m.achieved, '[]'),
    'milestonesMissing', coalesce(m.missing, '[]'),
    'milestonesOverdue', coalesce(m.overdue, '[]'),
    -- No login in the last year: counted from signup, the last time we know of.
    'daysSinceLastLogin', $3::date - coalesce(e.last_login::date, b.signup_date),
    'openTickets', greatest(coalesce(e.opened, 0) - coalesce(e.resolved, 0), 0),
    'failedPayments30d', coalesce(e.failed, 0)
  )) || coalesce((
    select jsonb_object_agg('health.' || component.key, (component.value ->> 'score')::float8)
    from jsonb_each(l.components) as component
  ), '{}') as facts
from batch b
left join customer_health_latest l on l.customer_id = b.id
left join milestones m on m.customer_id = b.id
left join events e on e.customer_id = b.id
order by b.id`;

/**
 * The facts of the customers active at `asOf` after `after` up to `last`, or
 * of the customers `ids` (those active), in id order.
 */
export async function loadCustomerFacts(
  db: Queryable,
  batch: { after: string; last: string } | { ids: readonly string[] },
  asOf: Date,
): Promise<Array<{ customerId: string; facts: CustomerFacts }>> {
  const range = "ids" in batch ? { after: "", last: "" } : batch;
  const rows = await db.query<{ customer_id: string; country: string; facts: CustomerFacts }>(
    FACTS_SQL,
    [range.after, range.last, asOf, "ids" in batch ? batch.ids : null],
  );
  return rows.map((row) => ({
    customerId: row.customer_id,
    facts: { ...row.facts, daysUntilPeakSeason: daysUntilPeakSeason(row.country, asOf) },
  }));
}
