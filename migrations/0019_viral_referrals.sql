-- Health boosts (engine/health/boosts.ts), and the viral plugin's referrals
-- and referral asks (plugins/viral). Identifiers compare byte by byte
-- (collate "C"), as customers.id does: scoring reads boosts by the same id
-- ranges it cuts customers into (0003_identifier_collation.sql).

-- Points added on top of a customer's weighted health score while a boost is
-- valid, granted by something outside the health model (the viral plugin, for
-- referrals that became customers). `source` names who granted it and
-- `boost_key` tells its grants apart, so granting again replaces a boost
-- instead of adding another. Scoring sums a customer's boosts valid at its
-- as-of time and caps the sum (HEALTH_BOOST_MAX_POINTS, docs/health.md).
create table health_boosts (
  source text not null check (source ~ '^[a-z][a-z0-9-]{0,62}$'),
  boost_key text not null check (length(boost_key) between 1 and 200),
  customer_id text collate "C" not null references customers (id) on delete cascade,
  points numeric(5, 2) not null check (points > 0 and points <= 100),
  reason text not null check (length(reason) between 1 and 500),
  valid_from timestamptz not null,
  valid_until timestamptz not null,
  granted_at timestamptz not null default now(),
  primary key (source, boost_key),
  check (valid_until > valid_from)
);
-- Scoring reads a batch's id range of boosts still valid at the as-of time.
create index idx_health_boosts_customer on health_boosts (customer_id, valid_until);

-- Referrals reported to the viral plugin: a supplier invited another
-- supplier, or a couple shared one of a supplier's forms. The id is the
-- sender's idempotency key. The referred customer is not a foreign key: the
-- invited supplier's account may reach the engine after the conversion does.
create table viral_referrals (
  id text collate "C" primary key check (length(id) between 1 and 128),
  referrer_id text collate "C" not null references customers (id) on delete cascade,
  kind text not null check (kind in ('supplier_invited', 'form_shared')),
  occurred_at timestamptz not null,
  status text not null check (status in ('pending', 'converted', 'declined')),
  converted_customer_id text collate "C" check (length(converted_customer_id) between 1 and 128),
  converted_at timestamptz,
  recorded_by text not null,
  recorded_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((status = 'converted') = (converted_customer_id is not null)),
  check ((status = 'converted') = (converted_at is not null)),
  check (converted_at is null or converted_at >= occurred_at)
);
-- Facts and the referral list read one referrer's referrals by time.
create index idx_viral_referrals_referrer on viral_referrals (referrer_id, occurred_at);
create index idx_viral_referrals_converted on viral_referrals (referrer_id, converted_at)
  where converted_at is not null;

-- Referral asks: a customer whose health crossed the plugin's minScore,
-- posted to VIRAL_API_ENDPOINT. One row per customer and scoring time, so a
-- health.changed delivered twice finds its ask instead of asking again;
-- sent_at stays null until the endpoint took it (a failed post is retried).
create table viral_asks (
  id bigint generated always as identity primary key,
  customer_id text collate "C" not null references customers (id) on delete cascade,
  -- The scoring time of the health.changed that crossed the threshold.
  asked_at timestamptz not null,
  event_id bigint not null,
  score numeric(5, 2) not null,
  previous_score numeric(5, 2),
  sent_at timestamptz,
  unique (customer_id, asked_at)
);
