-- Interventions: every decision the planner makes about a rule firing that
-- proposes one (sent, deferred, held out as control, or suppressed and why),
-- and the outbox delivery works from.

create table success_interventions (
  id bigint generated always as identity primary key,
  -- (customer, rule version, window): a resumed cycle, a retry or a second
  -- planner can never plan the same intervention twice.
  idempotency_key text collate "C" not null unique,
  customer_id text collate "C" not null references customers (id) on delete cascade,
  rule_id text collate "C",
  rule_version integer,
  cycle_id bigint,
  template_id text collate "C" not null,
  channel text not null,
  priority integer not null,
  -- send: goes to the outbox; holdout: the rule's control group, recorded and
  -- not sent; suppressed: not sent, for `reason`.
  decision text not null check (decision in ('send', 'holdout', 'suppressed')),
  reason text,
  -- planned → sending → sent | delivered; failed (retrying), dead (gave up);
  -- held_out and suppressed end where they start.
  status text not null check (status in ('planned', 'sending', 'sent', 'delivered', 'failed',
    'dead', 'held_out', 'suppressed')),
  planned_at timestamptz not null,
  -- Quiet hours in the customer's time zone defer a send to here.
  scheduled_for timestamptz not null,
  sent_at timestamptz,
  delivered_at timestamptz,
  provider_message_id text,
  attempts integer not null default 0,
  last_error text,
  test boolean not null default false,
  check (decision <> 'suppressed' or reason is not null)
);
-- Seed name and index.
create index idx_interventions_sent_at on success_interventions (sent_at);
create index idx_interventions_customer on success_interventions (customer_id, planned_at desc);
create index idx_interventions_rule on success_interventions (rule_id, planned_at desc);
create index idx_interventions_status on success_interventions (status)
  where status in ('failed', 'dead');

-- Due sends. A worker claims rows with FOR UPDATE SKIP LOCKED and a lease
-- (locked_until); a worker that dies leaves its rows to be claimed again when
-- the lease ends, and the channel's dedup key keeps a second send harmless.
create table intervention_outbox (
  intervention_id bigint primary key references success_interventions (id) on delete cascade,
  due_at timestamptz not null,
  attempts integer not null default 0,
  locked_by text,
  locked_until timestamptz,
  -- dead: gave up (attempts used, or a failure retrying cannot fix); an
  -- operator's retry puts it back to pending.
  state text not null default 'pending' check (state in ('pending', 'dead'))
);
create index idx_outbox_due on intervention_outbox (due_at) where state = 'pending';

-- A customer who unsubscribed from a channel gets nothing more on it.
create table channel_unsubscribes (
  customer_id text collate "C" not null references customers (id) on delete cascade,
  channel text not null,
  unsubscribed_at timestamptz not null,
  source text not null,
  primary key (customer_id, channel)
);
