-- The event hub: delivery of the event log to plugins, at least once, in
-- log order (engine/plugins/hub, docs/events.md "Delivery to plugins").

-- Each plugin's place in the log and the state of its delivery. One row per
-- plugin, shared by every engine on the database: whichever engine holds the
-- lease delivers, and any engine can report the plugin's status from here.
create table event_hub_plugins (
  plugin text primary key,
  -- The event types it subscribes to, as its running engine registered them.
  types text[] not null,
  -- The cursor: the log position (tx_id, id) of the last event delivered or
  -- passed over. Ids are taken at insert, not at commit, so a later commit
  -- can hold a lower id: the log is read in (tx_id, id) order, only up to the
  -- oldest transaction still open, and an id alone would skip events.
  cursor_tx xid8 not null,
  cursor_event_id bigint not null default 0,
  -- Bumped by a replay that moves the cursor, so the deliverer's next write
  -- of its own cursor does not undo the replay.
  generation integer not null default 0,
  -- The engine delivering to this plugin, until lease_until unless renewed.
  holder text,
  lease_until timestamptz,
  breaker text not null default 'closed' check (breaker in ('closed', 'open', 'half-open')),
  breaker_opened_at timestamptz,
  consecutive_failures integer not null default 0,
  -- The event being retried and its attempts so far, so a restart does not
  -- give a poison event a fresh set of attempts.
  head_event_id bigint,
  head_attempts integer not null default 0,
  last_error text,
  last_error_at timestamptz,
  last_delivered_at timestamptz,
  last_delivered_event_id bigint,
  delivered_count bigint not null default 0,
  failed_count bigint not null default 0,
  dead_lettered_count bigint not null default 0,
  registered_at timestamptz not null default now()
);

-- Events a plugin failed on for good: its handler refused them (not
-- retriable) or failed PLUGIN_MAX_ATTEMPTS times. The cursor moved on; an
-- operator replays them (replayed_at) once the plugin is fixed. No foreign key
-- to event_log: a dead letter outlives its event only as a record.
create table event_hub_dead_letters (
  id bigint generated always as identity primary key,
  plugin text not null references event_hub_plugins (plugin) on delete cascade,
  event_id bigint not null,
  attempts integer not null,
  last_error text not null,
  failed_at timestamptz not null,
  replayed_at timestamptz,
  replayed_by text
);
create index idx_event_hub_dead_letters_plugin on event_hub_dead_letters (plugin, id);
create index idx_event_hub_dead_letters_pending on event_hub_dead_letters (plugin)
  where replayed_at is null;

-- Dead letters queued for another delivery; the deliverer takes them before
-- the log and deletes each once delivered (or dead-lettered again).
create table event_hub_redeliveries (
  plugin text not null references event_hub_plugins (plugin) on delete cascade,
  event_id bigint not null,
  dead_letter_id bigint not null references event_hub_dead_letters (id) on delete cascade,
  requested_at timestamptz not null,
  primary key (plugin, event_id)
);

-- The deliverers read the log in (tx_id, id) order from their cursor.
create index idx_event_log_position on event_log (tx_id, id);
-- Replay from a time finds the first event recorded at or after it. The log
-- is appended in time order, so a BRIN index is tiny and nearly free to keep.
create index idx_event_log_recorded_at on event_log using brin (recorded_at);

-- Deliverers LISTEN on event_log and wake at once; PostgreSQL sends the
-- notification at commit, once per transaction however many rows it added.
create function event_log_notify() returns trigger language plpgsql as $$
begin
  perform pg_notify('event_log', '');
  return null;
end
$$;
create trigger event_log_notify after insert on event_log
  for each statement execute function event_log_notify();
