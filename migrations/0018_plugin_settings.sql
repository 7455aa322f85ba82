-- Plugins (issue 7): what an admin set through the API, per plugin: enabled
-- or not, and its configuration (checked against its plugin.json schema). A
-- plugin without a row runs with its defaults. Every engine on the database
-- applies a change when notified, without a restart.
create table plugin_settings (
  name text primary key,
  enabled boolean not null,
  config jsonb not null default '{}',
  -- Bumped on every change: an If-Match on the API, and how engines tell a missed change.
  version integer not null default 1,
  updated_at timestamptz not null,
  updated_by text not null
);

create function notify_plugin_settings() returns trigger language plpgsql as $$
begin
  perform pg_notify('plugin_settings', new.name);
  return null;
end $$;

create trigger plugin_settings_changed after insert or update on plugin_settings
  for each row execute function notify_plugin_settings();
