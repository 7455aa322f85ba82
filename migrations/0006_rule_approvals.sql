-- Approvals: when switched on (engine_settings 'rules.approvals'), publishing a
-- rule asks for a second person's approval instead of publishing at once.
create table engine_settings (
  key text collate "C" primary key,
  value jsonb not null,
  updated_at timestamptz not null,
  updated_by text not null
);

create table rule_change_requests (
  id bigint generated always as identity primary key,
  rule_id text collate "C" not null references rules (id),
  -- The rule's revision when asked: a later edit supersedes the request.
  revision integer not null,
  definition jsonb not null,
  reason text,
  status text not null check (status in ('pending', 'approved', 'rejected', 'superseded')),
  requested_at timestamptz not null,
  requested_by text not null,
  decided_at timestamptz,
  decided_by text,
  decision_reason text,
  check ((status = 'pending') = (decided_at is null))
);
-- At most one request waits per rule.
create unique index rule_change_requests_one_pending on rule_change_requests (rule_id)
  where status = 'pending';
