/**
 * Alerts as people see them: each with its notifications (what was sent
 * where, how many attempts, the last error), listed newest first, and
 * acknowledged by a person (an audit entry).
 */
import { appendAudit } from "../audit/mod.ts";
import type { Db, Queryable } from "../db/mod.ts";
import { EngineError } from "../errors.ts";
import type { AlertChannel, Comparison, Severity } from "./rule_schema.ts";
import type { AlertChange } from "./rules_store.ts";

/** One notification of an alert. */
export interface AlertNotification {
  kind: "trigger" | "acknowledge" | "resolve";
  channel: AlertChannel;
  target: string;
  status: "pending" | "sent" | "failed" | "skipped";
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  sentAt: string | null;
}

/** An alert. */
export interface Alert {
  id: number;
  ruleId: string;
  group: string;
  status: "pending" | "open" | "resolved";
  severity: Severity;
  metric: string;
  comparison: Comparison;
  threshold: number;
  value: number;
  pendingSince: string;
  openedAt: string | null;
  resolvedAt: string | null;
  lastEvaluatedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  notifications: AlertNotification[];
}

interface AlertRow {
  id: number;
  rule_id: string;
  group_key: string;
  status: Alert["status"];
  severity: Severity;
  metric: string;
  comparison: Comparison;
  threshold: number;
  value: number;
  pending_since: Date;
  opened_at: Date | null;
  resolved_at: Date | null;
  last_evaluated_at: Date;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  notifications: Array<Record<string, unknown>> | null;
}

const iso = (d: Date | string | null) => d === null ? null : new Date(d).toISOString();

// Notifications as one json array per alert: one statement for a whole page.
const SELECT = `select a.*, coalesce((
    select json_agg(json_build_object('kind', n.kind, 'channel', n.channel,
      'target', n.target, 'status', n.status, 'attempts', n.attempts,
      'nextAttemptAt', case when n.status = 'pending' then n.next_attempt_at end,
      'lastError', n.last_error, 'sentAt', n.sent_at) order by n.id)
    from alert_notifications n where n.alert_id = a.id), '[]') as notifications
  from alerts a`;

/** Filters of listAlerts. */
export interface AlertFilter {
  status?: Alert["status"];
  ruleId?: string;
  /** Only alerts with an id below this (the page cursor). */
  before?: number;
  limit: number;
}

/** Alerts, newest first. */
export async function listAlerts(db: Queryable, filter: AlertFilter): Promise<Alert[]> {
  const rows = await db.query<AlertRow>(
    `${SELECT}
     where ($1::text is null or a.status = $1) and ($2::text is null or a.rule_id = $2)
       and ($3::bigint is null or a.id < $3)
     order by a.id desc limit $4`,
    [filter.status ?? null, filter.ruleId ?? null, filter.before ?? null, filter.limit],
  );
  return rows.map(alertOf);
}

/** One alert; ALERT_NOT_FOUND if there is none. */
export async function getAlert(db: Queryable, id: number): Promise<Alert> {
  const [row] = await db.query<AlertRow>(`${SELECT} where a.id = $1`, [id]);
  if (!row) throw notFound(id);
  return alertOf(row);
}

/**
 * Records that a person took the alert on. Acknowledging again changes
 * nothing; a resolved alert cannot be acknowledged (ALERT_RESOLVED).
 */
export async function acknowledgeAlert(
  db: Db,
  id: number,
  change: AlertChange & { reason?: string | null },
): Promise<Alert> {
  await db.transaction(async (tx) => {
    const [row] = await tx.query<AlertRow>(
      "select *, null as notifications from alerts where id = $1 for update",
      [id],
    );
    if (!row) throw notFound(id);
    if (row.acknowledged_at !== null) return;
    if (row.status === "resolved") {
      throw new EngineError(
        "ALERT_RESOLVED",
        `Alert ${id} was resolved at ${iso(row.resolved_at)}: there is nothing to acknowledge`,
      );
    }
    await tx.query(
      "update alerts set acknowledged_at = $2, acknowledged_by = $3 where id = $1",
      [id, change.now, change.actor],
    );
    await appendAudit(tx, {
      at: change.now,
      actor: change.actor,
      action: "alert.acknowledged",
      subjectType: "alert",
      subjectId: String(id),
      reason: change.reason ?? null,
      before: { acknowledgedAt: null },
      after: { acknowledgedAt: change.now.toISOString(), acknowledgedBy: change.actor },
      requestId: change.requestId ?? null,
    });
    // PagerDuty's incident follows: acknowledged there too, where it was triggered.
    await tx.query(
      `insert into alert_notifications (alert_id, kind, channel, target, status,
         next_attempt_at, created_at)
       select alert_id, 'acknowledge', channel, target, 'pending', $2, $2
       from alert_notifications
       where alert_id = $1 and kind = 'trigger' and channel = 'pagerduty'
         and status in ('pending', 'sent')
       on conflict do nothing`,
      [id, change.now],
    );
  });
  return await getAlert(db, id);
}

/** The open alerts and the notifications not delivered yet, for the health check. */
export async function alertSummary(db: Queryable): Promise<{
  open: Array<{ id: number; ruleId: string; severity: Severity; acknowledged: boolean }>;
  undelivered: number;
  failed: number;
}> {
  const open = await db.query<
    { id: number; rule_id: string; severity: Severity; acknowledged: boolean }
  >(
    `select id, rule_id, severity, acknowledged_at is not null as acknowledged
     from alerts where status = 'open' order by id`,
  );
  const [counts] = await db.query<{ undelivered: number; failed: number }>(
    `select count(*) filter (where status = 'pending')::int as undelivered,
       count(*) filter (where status = 'failed')::int as failed
     from alert_notifications n
     where exists (select 1 from alerts a where a.id = n.alert_id and a.status = 'open')`,
  );
  return {
    open: open.map((o) => ({
      id: Number(o.id),
      ruleId: o.rule_id,
      severity: o.severity,
      acknowledged: o.acknowledged,
    })),
    undelivered: counts?.undelivered ?? 0,
    failed: counts?.failed ?? 0,
  };
}

function alertOf(row: AlertRow): Alert {
  return {
    id: Number(row.id),
    ruleId: row.rule_id,
    group: row.group_key,
    status: row.status,
    severity: row.severity,
    metric: row.metric,
    comparison: row.comparison,
    threshold: Number(row.threshold),
    value: Number(row.value),
    pendingSince: iso(row.pending_since)!,
    openedAt: iso(row.opened_at),
    resolvedAt: iso(row.resolved_at),
    lastEvaluatedAt: iso(row.last_evaluated_at)!,
    acknowledgedAt: iso(row.acknowledged_at),
    acknowledgedBy: row.acknowledged_by,
    notifications: (row.notifications ?? []).map((n) => ({
      kind: n.kind as AlertNotification["kind"],
      channel: n.channel as AlertChannel,
      target: String(n.target),
      status: n.status as AlertNotification["status"],
      attempts: Number(n.attempts),
      nextAttemptAt: iso(n.nextAttemptAt as string | null),
      lastError: (n.lastError as string | null) ?? null,
      sentAt: iso(n.sentAt as string | null),
    })),
  };
}

function notFound(id: number): EngineError {
  return new EngineError("ALERT_NOT_FOUND", `No alert ${id}: GET /api/v1/alerts lists them`);
}
