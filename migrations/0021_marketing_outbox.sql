-- The marketing plugin's outbox (plugins/marketing): selected domain events
-- waiting to be posted, in signed batches, to MARKETING_API_ENDPOINT. The
-- event hub moves its cursor as soon as a handler returns, so the handler
-- only appends a row here; a flusher posts batches and marks their rows sent
-- after a 2xx. Nothing waits in an engine's memory, and any engine on the
-- database can post what another queued.

-- A batch as posted. Its idempotency key stays the same on every attempt,
-- whichever engine makes it, so the receiver can drop a repeat. After a
-- failure it waits until next_attempt_at; the engine posting it holds it
-- until lease_until (an engine that dies mid-post leaves it to the others
-- once the lease runs out).
create table marketing_batches (
  id bigint generated always as identity primary key,
  idempotency_key text not null unique,
  created_at timestamptz not null,
  attempts integer not null default 0,
  next_attempt_at timestamptz not null,
  lease_owner text,
  lease_until timestamptz,
  last_error text,
  last_error_at timestamptz,
  -- 'sent' after a 2xx; 'suppressed' when none of its events may go any more.
  outcome text check (outcome in ('sent', 'suppressed')),
  done_at timestamptz,
  check ((outcome is null) = (done_at is null))
);
create index idx_marketing_batches_open on marketing_batches (id) where done_at is null;
create index idx_marketing_batches_done on marketing_batches (done_at) where done_at is not null;

-- One selected event. event_id is its place in the event log: a redelivered
-- event finds its row and adds none. `fields` holds only the configured
-- fields, exactly what is sent, so no other personal data is copied here;
-- the row goes with its customer (GDPR deletion).
create table marketing_outbox (
  id bigint generated always as identity primary key,
  event_id bigint not null unique,
  customer_id text collate "C" not null references customers (id) on delete cascade,
  kind text not null check (kind in ('at_risk', 'champion', 'milestone')),
  event_type text not null,
  occurred_at timestamptz not null,
  fields jsonb not null,
  queued_at timestamptz not null,
  state text not null default 'pending' check (state in ('pending', 'sent', 'suppressed')),
  -- Why it was not sent: the customer churned or unsubscribed after it was queued.
  suppressed_reason text check (suppressed_reason in ('churned', 'unsubscribed')),
  batch_id bigint references marketing_batches (id),
  done_at timestamptz,
  check ((state = 'suppressed') = (suppressed_reason is not null)),
  check ((state = 'pending') = (done_at is null))
);
-- Batches are cut from the queue in order, and an event may join one only
-- when the customer's earlier pending events join it too (order per customer).
create index idx_marketing_outbox_queue on marketing_outbox (id) where state = 'pending';
create index idx_marketing_outbox_customer on marketing_outbox (customer_id, id)
  where state = 'pending';
create index idx_marketing_outbox_batch on marketing_outbox (batch_id) where state = 'pending';
-- Sent and suppressed rows are deleted after the plugin's keepDays.
create index idx_marketing_outbox_done on marketing_outbox (done_at) where state <> 'pending';
