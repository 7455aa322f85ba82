-- Intervention templates (handlebars), edited without deploys and versioned
-- exactly like rules: at most one draft being edited, a history of published
-- versions, the latest of which is what is sent. Versions are never changed or
-- deleted: rolling back publishes an old definition as a new version.
create table templates (
  -- The key a rule's intervention names (onboarding_nudge): the rule id's
  -- form, with '_' allowed too because the template keys use it.
  id text collate "C" primary key check (id ~ '^[a-z0-9][a-z0-9_-]{0,79}$'),
  name text not null check (length(name) between 1 and 200),
  description text not null default '',
  -- Fixed at creation: rules name a template together with its channel.
  channel text not null check (channel in ('email', 'slack', 'webhook', 'in-app')),
  -- draft: never published; published: a version is sent; archived: nothing is sent.
  status text not null check (status in ('draft', 'published', 'archived')),
  draft jsonb,
  -- The variables the draft uses, computed from its templates when it was saved.
  draft_variables text[] collate "C",
  published_version integer,
  -- Bumped by every change: the ETag that makes concurrent edits conflict.
  revision integer not null default 1,
  created_at timestamptz not null,
  created_by text not null,
  updated_at timestamptz not null,
  updated_by text not null,
  check (status <> 'published' or published_version is not null),
  check ((draft is null) = (draft_variables is null))
);
create index idx_templates_status on templates (status, id);

create table template_versions (
  template_id text collate "C" not null references templates (id),
  version integer not null check (version >= 1),
  definition jsonb not null,
  name text not null,
  variables text[] collate "C" not null,
  published_at timestamptz not null,
  published_by text not null,
  -- The version this one restored, for a rollback.
  restored_from integer,
  reason text,
  primary key (template_id, version)
);

alter table templates add foreign key (id, published_version)
  references template_versions (template_id, version) deferrable initially deferred;

-- Versions are history: the database refuses to change or delete them.
create function template_versions_are_history() returns trigger language plpgsql as $$
begin
  raise exception 'template_versions is append-only' using errcode = 'insufficient_privilege';
end;
$$;
create trigger template_versions_append_only before update or delete on template_versions
  for each row execute function template_versions_are_history();
