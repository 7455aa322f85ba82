/**
 * Sends the queued alert notifications that are due. Each is leased while it
 * is sent, so several engines never send one twice at once; a failure is
 * recorded (attempts, last error) and retried with exponential backoff until
 * it is sent — a channel that is down loses nothing. Only a failure that no
 * retry can fix (a 4xx answer: a wrong key or URL) ends it as failed.
 */
import type { Db } from "../db/mod.ts";
import { DeliveryError } from "../plugins/mod.ts";
import type { AlertChannel } from "./rule_schema.ts";
import type { AlertNotice, AlertSender } from "./senders.ts";

/** Options of deliverAlertNotifications. */
export interface DeliverOptions {
  now: Date;
  senders: Partial<Record<AlertChannel, AlertSender>>;
  /** The first retry waits this long; each next one twice as long, up to an hour. */
  retryBaseMs: number;
  signal?: AbortSignal;
  /** Notifications sent per call (default 100). */
  limit?: number;
}

/** What one call did. */
export interface DeliverySummary {
  sent: number;
  retrying: number;
  failed: number;
}

const LEASE_SECONDS = 120;
const MAX_BACKOFF_MS = 3_600_000;

interface DueRow {
  id: number;
  alert_id: number;
  kind: AlertNotice["kind"];
  channel: AlertChannel;
  target: string;
  attempts: number;
  rule_id: string;
  name: string;
  description: string;
  severity: AlertNotice["rule"]["severity"];
  metric: string;
  comparison: AlertNotice["comparison"];
  threshold: number;
  value: number;
  group_key: string;
  opened_at: Date | null;
  resolved_at: Date | null;
}

/** Sends what is due; see the module comment. */
export async function deliverAlertNotifications(
  db: Db,
  options: DeliverOptions,
): Promise<DeliverySummary> {
  const { now } = options;
  // An acknowledge or resolve waits for its trigger on the same channel and
  // recipient, so the receiver never hears "resolved" before "triggered".
  const due = await db.query<DueRow>(
    `with claimed as (
       update alert_notifications n set leased_until = $1::timestamptz + make_interval(secs => $2)
       where n.id in (
         select id from alert_notifications m
         where m.status = 'pending' and m.next_attempt_at <= $1
           and (m.leased_until is null or m.leased_until < $1)
           and (m.kind = 'trigger' or not exists (
             select 1 from alert_notifications t where t.alert_id = m.alert_id
               and t.kind = 'trigger' and t.channel = m.channel and t.target = m.target
               and t.status = 'pending'))
         order by m.id limit $3 for update skip locked)
       returning n.*)
     select c.id, c.alert_id, c.kind, c.channel, c.target, c.attempts, a.rule_id, r.name,
       r.description, a.severity, a.metric, a.comparison, a.threshold, a.value, a.group_key,
       a.opened_at, a.resolved_at
     from claimed c join alerts a on a.id = c.alert_id join alert_rules r on r.id = a.rule_id
     order by c.id`,
    [now, LEASE_SECONDS, options.limit ?? 100],
  );
  const summary: DeliverySummary = { sent: 0, retrying: 0, failed: 0 };
  const signal = options.signal ?? new AbortController().signal;
  await Promise.all(due.map(async (row) => {
    const outcome = await sendOne(row, options.senders[row.channel], signal);
    const attempts = row.attempts + 1;
    if (outcome === null) {
      summary.sent++;
      await db.query(
        `update alert_notifications set status = 'sent', attempts = $2, sent_at = $3,
           leased_until = null where id = $1`,
        [row.id, attempts, now],
      );
      return;
    }
    const retry = outcome.retriable;
    if (retry) summary.retrying++;
    else summary.failed++;
    const wait = Math.min(options.retryBaseMs * 2 ** (attempts - 1), MAX_BACKOFF_MS);
    await db.query(
      `update alert_notifications set status = $2, attempts = $3, last_error = $4,
         next_attempt_at = $5, leased_until = null where id = $1`,
      [
        row.id,
        retry ? "pending" : "failed",
        attempts,
        outcome.message,
        new Date(now.getTime() + wait),
      ],
    );
  }));
  return summary;
}

/** null when sent; otherwise why not, and whether a retry can help. */
async function sendOne(
  row: DueRow,
  sender: AlertSender | undefined,
  signal: AbortSignal,
): Promise<{ message: string; retriable: boolean } | null> {
  // Configured where it was queued, not here: another engine (or this one
  // after a restart with the setting) will send it.
  if (!sender) {
    return { message: `The ${row.channel} channel is not configured here`, retriable: true };
  }
  try {
    await sender(noticeOf(row), signal);
    return null;
  } catch (error) {
    if (error instanceof DeliveryError) {
      return { message: error.message, retriable: error.retriable };
    }
    return { message: error instanceof Error ? error.message : String(error), retriable: true };
  }
}

function noticeOf(row: DueRow): AlertNotice {
  return {
    alertId: Number(row.alert_id),
    kind: row.kind,
    target: row.target,
    rule: {
      id: row.rule_id,
      name: row.name,
      description: row.description,
      severity: row.severity,
    },
    metric: row.metric,
    comparison: row.comparison,
    threshold: Number(row.threshold),
    value: Number(row.value),
    group: row.group_key,
    openedAt: row.opened_at ? new Date(row.opened_at).toISOString() : null,
    resolvedAt: row.resolved_at ? new Date(row.resolved_at).toISOString() : null,
  };
}
