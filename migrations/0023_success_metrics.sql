-- Daily success metrics (the seed's mv_success_metrics): one row per UTC day
-- from the first day anything happened to the last. Refreshed CONCURRENTLY on
-- a schedule (engine/reports/success_metrics.ts), which needs the unique index
-- below; readers are never blocked by a refresh. Days are UTC dates, written
-- with "at time zone 'UTC'" so a refresh does not depend on the session's
-- TimeZone. docs/reports.md defines every column.
create materialized view mv_success_metrics as
with health_days as (
  -- Each customer's last scoring of the day: hourly cycles score a customer
  -- many times a day, and each customer must count once.
  select distinct on (customer_id, (scored_at at time zone 'UTC')::date)
    (scored_at at time zone 'UTC')::date as day, score, at_risk_score
  from customer_health
  order by customer_id, (scored_at at time zone 'UTC')::date, scored_at desc
),
health as (
  select day,
    avg(score)::float8 as avg_health,
    count(*)::int as scored_customers,
    -- The seed's at-risk threshold.
    count(*) filter (where at_risk_score > 70)::int as at_risk_count
  from health_days
  group by day
),
signups as (
  select signup_date as day, count(*)::int as n from customers group by signup_date
),
churns as (
  select (churned_at at time zone 'UTC')::date as day,
    count(*)::int as n,
    -- Churned the day they signed up: never active at the start of a day.
    count(*) filter (where signup_date = (churned_at at time zone 'UTC')::date)::int as same_day
  from customers
  where churned_at is not null and signup_date <= (churned_at at time zone 'UTC')::date
  group by 1
),
interventions as (
  -- As the interventions report counts them (engine/interventions/report.ts):
  -- test sends never count; the treated group is every decision to send, and
  -- success is being retained 30 days after planning.
  select (i.planned_at at time zone 'UTC')::date as day,
    count(*) filter (where i.decision = 'send')::int as interventions_planned,
    count(i.sent_at)::int as interventions_sent,
    count(*) filter (where i.decision = 'holdout')::int as interventions_held_out,
    count(*) filter (where i.decision = 'send' and e.retained_30d is not null)::int
      as success_measured,
    count(*) filter (where i.decision = 'send' and e.retained_30d)::int as success_retained
  from success_interventions i
  left join intervention_effects e on e.intervention_id = i.id
  where not i.test and i.decision in ('send', 'holdout')
  group by 1
),
bounds as (
  select least((select min(day) from health), (select min(day) from signups),
      (select min(day) from churns), (select min(day) from interventions)) as first_day,
    greatest((select max(day) from health), (select max(day) from signups),
      (select max(day) from churns), (select max(day) from interventions)) as last_day
),
days as (
  select generate_series(first_day, last_day, interval '1 day')::date as day
  from bounds
  where first_day is not null
),
counted as (
  select d.day,
    coalesce(s.n, 0) as signed_up,
    coalesce(c.n, 0) as churned,
    coalesce(c.n, 0) - coalesce(c.same_day, 0) as churned_active,
    -- Running totals of the days before: customers active at the start of
    -- the day, without a scan of every customer per day.
    coalesce(sum(coalesce(s.n, 0)) over before, 0)
      - coalesce(sum(coalesce(c.n, 0)) over before, 0) as active_at_start
  from days d
  left join signups s on s.day = d.day
  left join churns c on c.day = d.day
  window before as (order by d.day rows between unbounded preceding and 1 preceding)
)
select k.day as date,
  h.avg_health,
  coalesce(h.scored_customers, 0) as scored_customers,
  coalesce(h.at_risk_count, 0) as at_risk_count,
  k.active_at_start::int as active_customers,
  k.signed_up::int as new_customers,
  k.churned::int as churned_customers,
  (k.churned_active::float8 / nullif(k.active_at_start, 0))::float8 as churn_rate,
  coalesce(i.interventions_planned, 0) as interventions_planned,
  coalesce(i.interventions_sent, 0) as interventions_sent,
  coalesce(i.interventions_held_out, 0) as interventions_held_out,
  coalesce(i.success_measured, 0) as success_measured,
  coalesce(i.success_retained, 0) as success_retained,
  (i.success_retained::float8 / nullif(i.success_measured, 0))::float8 as success_rate
from counted k
left join health h on h.day = k.day
left join interventions i on i.day = k.day
with data;

-- REFRESH ... CONCURRENTLY needs a unique index on plain columns.
create unique index mv_success_metrics_date on mv_success_metrics (date);
