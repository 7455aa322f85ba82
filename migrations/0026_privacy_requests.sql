-- Privacy requests (docs/privacy.md "Privacy requests"): access, deletion and
-- portability requests about one customer, processed by a scheduled job, and
-- the tombstones a deletion leaves so the person cannot come back.
create table privacy_requests (
  id bigint generated always as identity primary key,
  type text not null check (type in ('access', 'deletion', 'portability')),
  status text not null
    check (status in ('pending', 'processing', 'completed', 'failed', 'rejected')),
  -- The customer in clear while the request is open or its export can be
  -- downloaded; set to null on every request of the customer when a deletion
  -- completes, so only the digest stays.
  customer_id text collate "C",
  -- tombstone_digest.ts of the customer id: finds duplicates and the
  -- customer's requests without holding the id.
  customer_digest text not null,
  requested_by text not null,
  requested_at timestamptz not null,
  -- Thirty days after the request (the GDPR's month).
  due_at timestamptz not null,
  started_at timestamptz,
  completed_at timestamptz,
  -- Until when a completed access or portability export can be downloaded.
  expires_at timestamptz,
  attempts integer not null default 0,
  -- Why it waits (a running cycle), failed or was rejected.
  note text,
  -- What was done: rows per table (no personal values).
  result jsonb,
  check (status <> 'completed' or completed_at is not null)
);
create index idx_privacy_requests_pending on privacy_requests (requested_at, id)
  where status in ('pending', 'processing');
create index idx_privacy_requests_digest on privacy_requests (customer_digest);
-- One open request of a type per customer: a second is a duplicate (409).
create unique index privacy_requests_one_open on privacy_requests (customer_digest, type)
  where status in ('pending', 'processing');

-- What a deletion leaves: digests of the erased customer's id and external id.
-- Customer upserts, event ingestion, imports and offline pushes refuse a
-- tombstoned id (CUSTOMER_ERASED).
create table privacy_tombstones (
  digest text primary key,
  kind text not null check (kind in ('customer_id', 'external_id')),
  erased_at timestamptz not null,
  request_id bigint not null references privacy_requests (id)
);
