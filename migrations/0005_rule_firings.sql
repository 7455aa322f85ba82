-- Rule firings: every time a published rule's conditions held for a customer
-- in a cycle, with what the rule saw, so "why did this fire" has an answer.
-- A cycle fires a rule at most once per customer (the unique key), so a
-- cycle that resumes after a crash cannot fire twice.
create table rule_firings (
  id bigint generated always as identity primary key,
  cycle_id bigint not null references cycles (id),
  customer_id text collate "C" not null references customers (id) on delete cascade,
  rule_id text collate "C" not null references rules (id),
  rule_version integer not null,
  priority integer not null,
  event jsonb not null,
  -- The facts the rule's conditions read, as they were.
  facts jsonb not null,
  -- Each comparison: its JSON path, the values compared, whether it held.
  conditions jsonb not null,
  fired_at timestamptz not null,
  unique (cycle_id, customer_id, rule_id),
  foreign key (rule_id, rule_version) references rule_versions (rule_id, version)
);
create index idx_rule_firings_customer on rule_firings (customer_id, id desc);
create index idx_rule_firings_rule on rule_firings (rule_id, id desc);
