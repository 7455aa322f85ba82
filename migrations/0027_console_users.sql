-- The console's people (docs/console.md): users who sign in with an email and
-- a password, with the same roles as API tokens, and their sessions.
create table users (
  id bigint generated always as identity primary key,
  email text not null,
  display_name text not null,
  role text not null check (role in ('success-analyst', 'success-manager', 'admin')),
  -- "pbkdf2-sha256$<iterations>$<salt, base64>$<hash, base64>": the iteration
  -- count travels with the hash, so raising it later leaves old hashes usable.
  password_hash text not null,
  disabled boolean not null default false,
  -- Failed sign-ins since the last success or lockout; CONSOLE_LOCKOUT_ATTEMPTS locks.
  failed_attempts integer not null default 0,
  locked_until timestamptz,
  created_at timestamptz not null,
  created_by text not null,
  updated_at timestamptz not null,
  last_sign_in_at timestamptz
);
-- One account per address, whatever its case.
create unique index users_email on users (lower(email));

-- A session is known by the SHA-256 of its random id (the cookie holds the id),
-- so a copy of the table signs no one in.
create table user_sessions (
  id_hash text primary key,
  user_id bigint not null references users (id) on delete cascade,
  -- The synchronizer token every form of this session carries.
  csrf_token text not null,
  created_at timestamptz not null,
  last_seen_at timestamptz not null,
  -- Absolute end, whatever the activity (CONSOLE_SESSION_MAX_HOURS).
  expires_at timestamptz not null,
  -- What a form held when its session had expired, offered again after sign-in.
  draft jsonb
);
create index idx_user_sessions_user on user_sessions (user_id);
