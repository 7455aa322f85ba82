-- Customers (wedding suppliers), their usage signals, milestones, health
-- history, the domain event log and evaluation cycles.

create table customers (
  id text primary key,
  external_id text unique,
  name text not null,
  vendor_type text not null,
  plan text not null,
  mrr numeric(12, 2) not null default 0 check (mrr >= 0),
  currency char(3) not null default 'GBP',
  country char(2) not null,
  time_zone text not null,
  signup_date date not null,
  churned_at timestamptz,
  attributes jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index idx_customers_active on customers (id) where churned_at is null;
create index idx_customers_segment on customers (vendor_type, plan);

-- Usage signals, range-partitioned by month on occurred_at so retention can
-- drop whole months. A partitioned table's unique keys must include the
-- partition key, so idempotency by event id is kept in usage_event_ids.
-- No foreign key to customers: it cost 40% of bulk-load time. Ingest checks
-- the customers exist and holds a key-share lock on them until it commits,
-- which is what the foreign key would do, once per batch instead of per row.
create table usage_events (
  event_id text not null,
  customer_id text not null,
  type text not null,
  user_id text,
  occurred_at timestamptz not null,
  received_at timestamptz not null default now(),
  properties jsonb not null default '{}'
) partition by range (occurred_at);
create index idx_usage_events_customer_time on usage_events (customer_id, occurred_at);

-- No foreign key or customer index here (they would slow every ingest): each
-- row goes with a usage_events row that has one, and a customer's ids are
-- found through usage_events.
create table usage_event_ids (
  event_id text primary key,
  customer_id text not null,
  occurred_at timestamptz not null
);

-- Creates the month's partition of usage_events if it is missing; safe when
-- several processes call it at once.
create function ensure_usage_events_partition(month date) returns boolean
language plpgsql as $$
declare
  first_day date := date_trunc('month', month)::date;
  partition_name text := 'usage_events_' || to_char(first_day, 'YYYY_MM');
begin
  perform pg_advisory_xact_lock(hashtext('usage_events_partition:' || partition_name));
  if to_regclass(partition_name) is not null then
    return false;
  end if;
  execute format(
    'create table %I partition of usage_events for values from (%L) to (%L)',
    partition_name, first_day, (first_day + interval '1 month')::date
  );
  return true;
end $$;

-- The declarative milestone catalog (imported from the defaults on first start).
create table milestone_definitions (
  key text primary key,
  name text not null,
  description text not null,
  event_type text not null,
  required_count integer not null check (required_count >= 1),
  due_days integer check (due_days >= 1),
  position integer not null default 0
);

-- One row per customer and catalog milestone: progress until achieved, then
-- achieved once and for good.
create table success_milestones (
  customer_id text not null references customers (id) on delete cascade,
  milestone_key text not null references milestone_definitions (key) on delete cascade,
  user_id text,
  achieved boolean not null default false,
  achieved_at timestamptz,
  progress integer not null default 0,
  target integer not null,
  due_at timestamptz,
  primary key (customer_id, milestone_key),
  check (achieved = (achieved_at is not null))
);
-- Seed name; the seed's (user_id, achieved) becomes (customer_id, achieved):
-- milestones belong to the supplier account, user_id says who achieved them.
create index idx_milestones_user_achieved on success_milestones (customer_id, achieved);
create index idx_milestones_pending_due on success_milestones (due_at) where not achieved;

-- Versions of the declarative health model; exactly one is active.
create table health_models (
  version text primary key,
  definition jsonb not null,
  active boolean not null default false,
  created_at timestamptz not null default now()
);
create unique index health_models_one_active on health_models ((true)) where active;

-- Health history: one row per scoring, never overwritten.
create table customer_health (
  id bigint generated always as identity primary key,
  customer_id text not null references customers (id) on delete cascade,
  score numeric(5, 2) not null check (score between 0 and 100),
  at_risk_score numeric(5, 2) not null check (at_risk_score between 0 and 100),
  components jsonb not null,
  at_risk_factors jsonb not null,
  model_version text not null,
  cycle_id bigint,
  scored_at timestamptz not null
);
-- Seed name; (customer_id, scored_at desc) also serves trend and history reads.
create index idx_health_supplier_id on customer_health (customer_id, scored_at desc);
create index idx_customer_health_scored_at on customer_health (scored_at);

-- Each customer's latest scoring, kept in step with customer_health by the
-- same statement, so reading all latest scores never scans the history.
create table customer_health_latest (
  customer_id text primary key references customers (id) on delete cascade,
  health_id bigint not null,
  score numeric(5, 2) not null,
  at_risk_score numeric(5, 2) not null,
  components jsonb not null,
  at_risk_factors jsonb not null,
  model_version text not null,
  scored_at timestamptz not null
);
create index idx_health_latest_at_risk on customer_health_latest (at_risk_score desc);

-- Domain events (milestone.achieved, health.changed, customer.updated, …),
-- appended in the transaction of the change that caused them. tx_id lets a
-- reader skip events of transactions that are still open.
create table event_log (
  id bigint generated always as identity primary key,
  type text not null,
  customer_id text,
  payload jsonb not null,
  occurred_at timestamptz not null,
  recorded_at timestamptz not null default now(),
  tx_id xid8 not null default pg_current_xact_id()
);
create index idx_event_log_customer on event_log (customer_id, id);
create index idx_event_log_type on event_log (type, id);

-- Evaluation cycles. At most one runs at a time; a running cycle whose
-- heartbeat stops (its process died) is marked abandoned by the next start.
create table cycles (
  id bigint generated always as identity primary key,
  trigger text not null check (trigger in ('schedule', 'api', 'cli', 'startup')),
  status text not null check (status in ('running', 'succeeded', 'failed', 'abandoned')),
  -- The cron tick a scheduled cycle belongs to: when several engines fire for
  -- the same tick, the unique index lets exactly one of them run it.
  schedule_slot timestamptz,
  as_of timestamptz not null,
  started_at timestamptz not null,
  heartbeat_at timestamptz not null,
  finished_at timestamptz,
  stages jsonb not null default '[]',
  error text
);
create unique index cycles_one_running on cycles ((true)) where status = 'running';
create unique index cycles_schedule_slot on cycles (schedule_slot) where schedule_slot is not null;
create index idx_cycles_started on cycles (started_at desc);
