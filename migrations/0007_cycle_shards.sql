-- Cycles shared by several engines: one engine holds a cycle (its lease is
-- the heartbeat), and each stage's customers are cut into shards that any
-- engine claims with FOR UPDATE SKIP LOCKED. A shard's work and its "done"
-- commit together, so a crashed cycle resumes from its unfinished shards and
-- no customer is evaluated twice.

-- The engine process coordinating the cycle; another takes it over (and
-- counts a resume) when its heartbeat is older than the lease.
alter table cycles add column holder text;
alter table cycles add column resumes integer not null default 0;

-- What every shard of a stage uses, fixed when the stage is planned (the
-- health model, the rule versions), so all engines do the same work.
create table cycle_stage_plans (
  cycle_id bigint not null references cycles (id) on delete cascade,
  stage text not null,
  params jsonb not null,
  shards integer not null,
  customers integer not null,
  planned_at timestamptz not null,
  primary key (cycle_id, stage)
);

create table cycle_shards (
  cycle_id bigint not null,
  stage text not null,
  shard integer not null,
  -- The customers after after_id up to and including last_id.
  after_id text collate "C" not null,
  last_id text collate "C" not null,
  size integer not null,
  status text not null default 'pending' check (status in ('pending', 'done')),
  worker text,
  counts jsonb not null default '{}',
  -- Per rule: evaluations that threw in this shard.
  failures jsonb not null default '{}',
  finished_at timestamptz,
  primary key (cycle_id, stage, shard),
  foreign key (cycle_id, stage) references cycle_stage_plans (cycle_id, stage) on delete cascade
);
create index idx_cycle_shards_pending on cycle_shards (cycle_id, stage, shard)
  where status = 'pending';

-- A published rule that threw in several cycles in a row is switched off
-- (disabled_at) until it is published again. failing_cycles counts the
-- streak; counted_cycle makes counting a cycle twice (a resumed one) a no-op.
alter table rules add column failing_cycles integer not null default 0;
alter table rules add column counted_cycle bigint;
alter table rules add column disabled_at timestamptz;
alter table rules add column disabled_reason text;

-- A firing's rule is checked by its (rule, version) key already; the second
-- check on the rule alone cost every batch of firings a lookup per row.
alter table rule_firings drop constraint rule_firings_rule_id_fkey;
