-- Churn prediction: the model registry, the prediction log (the seed's
-- churn_prediction_logs, partitioned by month of predicted_at so retention
-- drops whole months), each customer's latest prediction, and what each
-- scoring run saw (feature distributions for drift) and how each model
-- version did once outcomes were known.

-- Creates the month's partition of a monthly-partitioned table if it is
-- missing; safe when several processes call it at once.
create function ensure_monthly_partition(parent text, month date) returns boolean
language plpgsql as $$
declare
  first_day date := date_trunc('month', month)::date;
  partition_name text := parent || '_' || to_char(first_day, 'YYYY_MM');
begin
  perform pg_advisory_xact_lock(hashtext('monthly_partition:' || partition_name));
  if to_regclass(partition_name) is not null then
    return false;
  end if;
  execute format(
    'create table %I partition of %I for values from (%L) to (%L)',
    partition_name, parent, first_day, (first_day + interval '1 month')::date
  );
  return true;
end $$;

create table churn_models (
  version text collate "C" primary key,
  -- candidate: registered, not in use; active: the one scoring (at most one);
  -- retired: was active; rejected: a retrain candidate that lost.
  status text not null check (status in ('candidate', 'active', 'retired', 'rejected')),
  file_sha256 text not null,
  -- The ONNX file itself, so every engine scores with the same bytes.
  onnx bytea not null,
  feature_names text[] not null,
  card jsonb not null,
  metrics jsonb not null,
  source text not null,
  trained_at timestamptz not null,
  registered_at timestamptz not null,
  activated_at timestamptz
);
create unique index churn_models_one_active on churn_models ((true)) where status = 'active';

create table churn_prediction_logs (
  id bigint generated always as identity,
  -- No foreign key, like usage_events: partitioned, and kept past a customer's erasure as aggregates.
  customer_id text collate "C" not null,
  model_version text not null,
  probability double precision not null check (probability between 0 and 1),
  confidence double precision not null,
  -- confidence >= ML_CONFIDENCE_THRESHOLD when it was made.
  confident boolean not null,
  -- The top five feature contributions: [{feature, value, contribution}], log-odds.
  contributions jsonb not null,
  cycle_id bigint,
  predicted_at timestamptz not null,
  primary key (id, predicted_at)
) partition by range (predicted_at);
-- Seed index name.
create index idx_predictions_created on churn_prediction_logs (predicted_at);
create index idx_predictions_customer on churn_prediction_logs (customer_id, predicted_at desc);

create table churn_predictions_latest (
  customer_id text collate "C" primary key references customers (id) on delete cascade,
  model_version text not null,
  probability double precision not null,
  confidence double precision not null,
  confident boolean not null,
  contributions jsonb not null,
  predicted_at timestamptz not null
);
create index idx_churn_latest_probability on churn_predictions_latest (probability desc);

-- One per scored batch (a shard of a cycle's churn stage): rows scored, and
-- per feature how the values fell into the training data's bins (for drift, PSI).
create table churn_scoring_runs (
  id bigint generated always as identity primary key,
  cycle_id bigint,
  model_version text not null,
  scorer text not null,
  rows integer not null,
  feature_bins jsonb not null,
  scored_at timestamptz not null
);
create index idx_churn_scoring_runs on churn_scoring_runs (scored_at desc);

-- Realized performance of a model version: predictions whose horizon has
-- passed, against what happened.
create table churn_model_performance (
  id bigint generated always as identity primary key,
  model_version text not null,
  computed_at timestamptz not null,
  horizon_days integer not null,
  predictions integer not null,
  churned integer not null,
  roc_auc double precision,
  accuracy double precision,
  brier double precision,
  calibration jsonb not null
);
create index idx_churn_performance on churn_model_performance (model_version, computed_at desc);

-- Runs of scheduled jobs other than cycles (the weekly retrain): the first
-- engine to claim a (job, slot) runs it; the others skip that tick.
create table scheduled_job_runs (
  job text not null,
  slot timestamptz not null,
  holder text not null,
  started_at timestamptz not null,
  finished_at timestamptz,
  outcome jsonb,
  primary key (job, slot)
);
