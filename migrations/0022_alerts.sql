-- Alert rules over named engine metrics (engine/alerts, docs/alerts.md), the
-- alerts they open and resolve, and each notification of an alert to a
-- channel with its attempts, so a channel that is down loses nothing.

create table alert_rules (
  id text collate "C" primary key,
  name text not null,
  description text not null default '',
  metric text not null,
  comparison text not null check (comparison in ('>', '>=', '<', '<=')),
  threshold double precision not null,
  severity text not null check (severity in ('critical', 'high', 'medium', 'low')),
  channels text[] not null,
  recipients text[] not null default '{}',
  -- The condition must hold this long before the alert opens (0: at once).
  for_seconds integer not null default 0 check (for_seconds >= 0),
  -- One alert per value of this dimension (plan, vendor_type); null: one per rule.
  group_by text,
  enabled boolean not null default true,
  silenced_until timestamptz,
  silence_reason text,
  version integer not null default 1,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  updated_by text not null
);

-- pending: the condition holds, not yet for `for_seconds`; open: notified (or
-- silenced); resolved: the condition cleared. At most one alert per rule and
-- group is pending or open: deduplication across evaluations and engines.
create table alerts (
  id bigint generated always as identity primary key,
  rule_id text collate "C" not null references alert_rules (id) on delete cascade,
  group_key text collate "C" not null default '',
  status text not null check (status in ('pending', 'open', 'resolved')),
  severity text not null,
  metric text not null,
  comparison text not null,
  threshold double precision not null,
  value double precision not null,
  pending_since timestamptz not null,
  opened_at timestamptz,
  resolved_at timestamptz,
  last_evaluated_at timestamptz not null,
  -- Whether the trigger notifications were queued (a silenced alert's are
  -- queued when the silence ends, if it is still open).
  notified boolean not null default false,
  acknowledged_at timestamptz,
  acknowledged_by text
);
create unique index alerts_one_active on alerts (rule_id, group_key)
  where status in ('pending', 'open');
create index idx_alerts_opened on alerts (opened_at desc);

create table alert_notifications (
  id bigint generated always as identity primary key,
  alert_id bigint not null references alerts (id) on delete cascade,
  -- acknowledge: PagerDuty only, when a person acknowledges the alert through the API.
  kind text not null check (kind in ('trigger', 'acknowledge', 'resolve')),
  channel text not null check (channel in ('slack', 'pagerduty', 'email', 'webhook')),
  -- The recipient for email; '' for the other channels.
  target text not null default '',
  -- pending (waiting or retrying), sent, failed (not retriable), skipped
  -- (the channel is not configured in the engine that queued it).
  status text not null check (status in ('pending', 'sent', 'failed', 'skipped')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null,
  leased_until timestamptz,
  last_error text,
  sent_at timestamptz,
  created_at timestamptz not null,
  unique (alert_id, kind, channel, target)
);
create index idx_alert_notifications_due on alert_notifications (next_attempt_at)
  where status = 'pending';
