-- "Send a test to me": a template rendered for a customer and delivered to
-- the person who asked, through the real channel, marked as a test. Kept
-- here, apart from success_interventions, so tests never count as sends.
create table template_test_sends (
  id bigint generated always as identity primary key,
  template_id text collate "C" not null references templates (id),
  -- Null: the draft was sent.
  template_version integer,
  customer_id text collate "C" not null references customers (id) on delete cascade,
  channel text not null,
  -- Where it went: the address for email, the configured URL's origin for Slack and webhooks.
  recipient text,
  requested_by text not null,
  status text not null check (status in ('sent', 'delivered', 'failed')),
  provider_message_id text,
  error text,
  sent_at timestamptz not null
);
create index idx_template_test_sends_template on template_test_sends (template_id, id desc);
