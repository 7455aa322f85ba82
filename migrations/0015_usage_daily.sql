-- Per customer and UTC day, the counts the churn features read, so scoring
-- aggregates about one row per active customer-day instead of every raw
-- event of 90 days. Kept up to date from usage_events by the engine at the
-- start of each churn scoring and training (engine/signals/daily_usage.ts),
-- never on the ingest path: it adds the events received since the last
-- refresh, late ones (an offline client's, days old) included.
create table usage_daily (
  customer_id text collate "C" not null,
  day date not null,
  -- Events of any type that day (a row exists only for an active day).
  events integer not null,
  logins integer not null,
  features_used integer not null,
  clients_added integer not null,
  forms_sent integer not null,
  payments_failed integer not null,
  tickets_opened integer not null,
  tickets_resolved integer not null,
  last_event_at timestamptz not null,
  -- The day's latest NPS answer as (epoch seconds * 16 + score): the
  -- largest value is the latest answer, its low 4 bits the score.
  nps_key bigint,
  -- The counts ride in the key's index, so a shard's features are read by an
  -- index-only scan in customer order: no heap visits, no sort.
  primary key (customer_id, day) include (events, logins, features_used, clients_added, forms_sent,
    payments_failed, tickets_opened, tickets_resolved, last_event_at, nps_key)
);

-- How far the refresh has come: every event received before
-- `received_before` is counted in usage_daily. One row, or none before the
-- first refresh.
create table usage_daily_progress (
  only_row boolean primary key default true check (only_row),
  received_before timestamptz not null,
  refreshed_at timestamptz not null
);

-- Finds the events received since the last refresh. Rows are appended in
-- the order they arrive, so a block-range index is nearly free to keep up at
-- ingestion, unlike a b-tree.
create index idx_usage_events_received on usage_events using brin (received_at);
