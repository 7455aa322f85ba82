-- Rules, edited without deploys. A rule has at most one draft (being edited)
-- and a history of published versions; the published version is what runs.
-- Versions are never changed or deleted: rolling back publishes a new version
-- with an old definition.
create table rules (
  id text collate "C" primary key check (id ~ '^[a-z0-9][a-z0-9-]{0,79}$'),
  name text not null check (length(name) between 1 and 200),
  description text not null default '',
  tags text[] collate "C" not null default '{}',
  owner text,
  -- draft: never published; published: a version runs; archived: nothing runs.
  status text not null check (status in ('draft', 'published', 'archived')),
  draft jsonb,
  published_version integer,
  -- Bumped by every change: the ETag that makes concurrent edits conflict.
  revision integer not null default 1,
  created_at timestamptz not null,
  created_by text not null,
  updated_at timestamptz not null,
  updated_by text not null,
  check (status <> 'published' or published_version is not null)
);
create index idx_rules_status on rules (status, id);

create table rule_versions (
  rule_id text collate "C" not null references rules (id),
  version integer not null check (version >= 1),
  definition jsonb not null,
  name text not null,
  description text not null,
  tags text[] collate "C" not null,
  published_at timestamptz not null,
  published_by text not null,
  -- The version this one restored, for a rollback.
  restored_from integer,
  reason text,
  primary key (rule_id, version)
);

alter table rules add foreign key (id, published_version)
  references rule_versions (rule_id, version) deferrable initially deferred;

-- Versions are history: the database refuses to change or delete them.
create function rule_versions_are_history() returns trigger language plpgsql as $$
begin
  raise exception 'rule_versions is append-only' using errcode = 'insufficient_privilege';
end;
$$;
create trigger rule_versions_append_only before update or delete on rule_versions
  for each row execute function rule_versions_are_history();
