-- What an intervention did for its customer, measured by the outcomes stage
-- of the cycles that follow it: the health score before and 14 days after,
-- and whether the customer was still a customer 30, 60 and 90 days after.
-- Measured for sends and for the holdout (control) group alike, so reports
-- compare the two. A value stays null until its day has passed.
create table intervention_effects (
  intervention_id bigint primary key references success_interventions (id) on delete cascade,
  -- When it was planned: the moment both groups are measured from.
  baseline_at timestamptz not null,
  -- The latest score at baseline_at and 14 days later (null: never scored).
  health_before numeric(5, 2),
  health_after_14d numeric(5, 2),
  health_measured_at timestamptz,
  retained_30d boolean,
  retained_60d boolean,
  retained_90d boolean,
  -- When the next measure is due (planning + 14, 30, 60 or 90 days); null
  -- once all are measured. Each cycle touches only the rows due by its time.
  next_due_at timestamptz
);
create index idx_intervention_effects_due on intervention_effects (next_due_at)
  where next_due_at is not null;
