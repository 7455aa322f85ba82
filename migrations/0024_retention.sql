-- Retention (DATA_RETENTION_DAYS, docs/privacy.md "Retention"): every run of
-- the retention job, what it removed table by table, so /health/privacy can
-- report the last run. Scheduled runs are claimed in scheduled_job_runs like
-- the retrain; this table keeps the result for commands and dry runs too.
create table retention_runs (
  id bigint generated always as identity primary key,
  trigger text not null check (trigger in ('schedule', 'cli', 'api')),
  dry_run boolean not null,
  retention_days integer not null,
  -- Data older than this is removed; whole months before the cutoff's month
  -- for the monthly partitions.
  cutoff timestamptz not null,
  started_at timestamptz not null,
  finished_at timestamptz,
  -- Written with each batch: a running run whose heartbeat stops (its
  -- process died) is marked failed by the next run.
  heartbeat_at timestamptz not null,
  status text not null check (status in ('running', 'succeeded', 'failed')),
  -- Per table: {"table": ..., "rows": n, "partitions": [names]} in run order.
  removed jsonb not null default '[]',
  error text
);
create index idx_retention_runs_started on retention_runs (started_at desc);
-- At most one run removes data at a time, across every engine and command;
-- dry runs remove nothing and need no turn.
create unique index retention_runs_one_running on retention_runs ((true))
  where status = 'running' and not dry_run;

-- Retention deletes usage_event_ids older than the dropped months in batches;
-- ids are appended in arrival order, mostly in time order, so a block-range
-- index finds them at almost no cost to ingestion (unlike a b-tree).
create index idx_usage_event_ids_occurred on usage_event_ids using brin (occurred_at);
