-- API tokens and the audit log.

-- API tokens: the secret itself is never stored, only its SHA-256 in hex (tokens are
-- 256 random bits, so a fast hash is enough; no salt or slow hash needed).
create table api_tokens (
  id bigint generated always as identity primary key,
  name text not null check (length(name) between 1 and 100),
  role text not null check (role in ('success-analyst', 'success-manager', 'admin')),
  token_hash text not null unique,
  -- The first characters of the token, so a person can tell tokens apart.
  token_prefix text not null,
  created_at timestamptz not null,
  created_by text not null,
  expires_at timestamptz,
  revoked_at timestamptz,
  revoked_by text,
  last_used_at timestamptz
);
create index idx_api_tokens_created on api_tokens (created_at desc, id desc);

-- Append-only, hash-chained audit log: each entry's hash covers the previous
-- entry's hash, so removing or editing an entry breaks every later link.
create table audit_log (
  id bigint generated always as identity primary key,
  at timestamptz not null,
  actor text not null,
  action text not null,
  subject_type text not null,
  subject_id text not null,
  reason text,
  before jsonb,
  after jsonb,
  request_id text,
  prev_hash text not null,
  hash text not null unique
);
create index idx_audit_subject on audit_log (subject_type, subject_id, id);

-- Append-only in effect: updates and deletes are refused by the database itself.
create function audit_log_is_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only' using errcode = 'insufficient_privilege';
end;
$$;
create trigger audit_log_append_only before update or delete on audit_log
  for each row execute function audit_log_is_append_only();
