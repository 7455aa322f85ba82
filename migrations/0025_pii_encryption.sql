-- Personal values are stored encrypted (engine/privacy/encryption). The keys
-- stay outside the database; what is kept here lets the engine refuse to
-- start with a wrong or missing key, and lets lookups by email use a blind
-- index (an HMAC of the normalized address) instead of the address.
alter table customers add column email_index text collate "C";
create index idx_customers_email_index on customers (email_index) where email_index is not null;

-- One row per key id ever used: its purpose and a check value (HMAC of a
-- constant under the key), never the key. retired_at: keys:rotate found no
-- value left under it, so the key may be removed from the configuration.
create table pii_keys (
  key_id text collate "C" primary key,
  purpose text not null check (purpose in ('name', 'contact', 'text', 'index')),
  check_value text not null,
  registered_at timestamptz not null default now(),
  retired_at timestamptz
);
