-- What became of a sent intervention: opens (the email's tracking pixel),
-- clicks (its signed redirect links), and replies or in-app actions the
-- product reports. Every event is kept; the first open, click and reply are
-- also on the intervention, for reports.
create table intervention_outcomes (
  id bigint generated always as identity primary key,
  intervention_id bigint not null references success_interventions (id) on delete cascade,
  kind text not null check (kind in ('opened', 'clicked', 'replied', 'action', 'converted')),
  detail jsonb not null default '{}',
  occurred_at timestamptz not null,
  -- pixel, link (tracked by the engine) or api (reported by the product).
  source text not null check (source in ('pixel', 'link', 'api'))
);
create index idx_intervention_outcomes on intervention_outcomes (intervention_id, kind);

alter table success_interventions add column opened_at timestamptz;
alter table success_interventions add column clicked_at timestamptz;
alter table success_interventions add column replied_at timestamptz;
