-- The in-app channel's inbox: messages a customer's users read inside the
-- product. The dedup key is unique, so a send that is retried after a crash
-- (the outbox delivers at least once) stores the message once.
create table in_app_messages (
  id bigint generated always as identity primary key,
  customer_id text collate "C" not null references customers (id) on delete cascade,
  -- One user of the customer's account; null: everyone on the account.
  user_id text collate "C",
  intervention_id text collate "C" not null,
  dedup_key text collate "C" not null unique,
  subject text,
  -- Markdown, as rendered from the template.
  body text not null,
  -- A "send a test to me" message, kept apart from real interventions.
  test boolean not null default false,
  created_at timestamptz not null default now(),
  read_at timestamptz
);
create index idx_in_app_messages_customer on in_app_messages (customer_id, id desc);
create index idx_in_app_messages_unread on in_app_messages (customer_id, id desc)
  where read_at is null;
