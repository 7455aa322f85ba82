-- The offline plugin (plugins/offline): which customers each caller syncs,
-- and the answer given to every change a client pushed. Identifiers compare
-- byte by byte (collate "C"), as customers.id does (0003).

-- A caller (an API token, `token:12`) with customers assigned. `revision` is
-- bumped by every change of its assignments; a client's cursor remembers the
-- revision it saw, so the next page says which customers came and went.
create table offline_callers (
  caller text collate "C" primary key,
  revision bigint not null,
  updated_at timestamptz not null,
  updated_by text not null
);

-- The customers assigned to a caller: `added_revision` when it was (last)
-- assigned, `removed_revision` when it was taken away (null while assigned).
-- Removed rows stay, so a client whose cursor is older learns of the removal.
-- No foreign key to customers: deleting a customer (a privacy request) must
-- not wait on or cascade into the plugin's tables; a customer that no longer
-- exists is left out of what the feed sends.
create table offline_assignments (
  caller text collate "C" not null references offline_callers (caller) on delete cascade,
  customer_id text collate "C" not null,
  added_revision bigint not null,
  removed_revision bigint,
  primary key (caller, customer_id)
);

-- One row per idempotency key a client pushed: who pushed it, a hash of the
-- item as sent (the same key with other content is refused), and the answer,
-- returned again to a repeat. `answer` is null only inside the transaction
-- that claimed the key; it is set before that transaction commits.
create table offline_push_receipts (
  key text collate "C" primary key,
  caller text not null,
  client_id text not null,
  fingerprint text not null,
  customer_id text collate "C",
  answer jsonb,
  -- The item's time on the server's clock (after correcting the client's skew).
  client_at timestamptz,
  received_at timestamptz not null
);
-- Privacy requests find a customer's receipts (answers can hold its fields).
create index idx_offline_push_receipts_customer on offline_push_receipts (customer_id);
