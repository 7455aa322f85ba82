/**
 * One evaluation of every alert rule: compute each rule's metric, then open,
 * keep or resolve its alert per group, and queue the notifications. It only
 * writes to the database (sending is deliver.ts's job), so a channel that is
 * down never slows it. One engine evaluates at a time (an advisory lock);
 * the unique index on active alerts keeps one alert per rule and group
 * whatever happens.
 */
import type { Db, Queryable } from "../db/mod.ts";
import { alertMetrics, type MetricContext, type MetricValue } from "./metrics.ts";
import { type AlertChannel, holds } from "./rule_schema.ts";
import { type AlertRule, listAlertRules } from "./rules_store.ts";

/** Held for the length of an evaluation's transaction, by one engine at a time. */
const ALERT_EVALUATION_LOCK = 7_301_022;

/** Options of evaluateAlerts. */
export interface EvaluateOptions {
  now: Date;
  /** The channels this engine can send to; the others' notifications are recorded as skipped. */
  configured: ReadonlySet<AlertChannel>;
  hubStatus?: MetricContext["hubStatus"];
}

/** What one evaluation did. */
export interface EvaluationSummary {
  /** True when another engine was evaluating: this one did nothing. */
  skipped: boolean;
  rules: number;
  opened: number[];
  resolved: number[];
  /** Notifications queued (pending or skipped). */
  queued: number;
}

interface ActiveAlert {
  id: number;
  rule_id: string;
  group_key: string;
  status: "pending" | "open";
  pending_since: Date;
  notified: boolean;
}

/** Evaluates every rule once; see the module comment. */
export async function evaluateAlerts(db: Db, options: EvaluateOptions): Promise<EvaluationSummary> {
  // Read before the transaction: the hub queries through its own handle, and
  // PGlite's one connection is the transaction's until it ends. A hub that
  // cannot answer leaves integration_health without a value this time (its
  // own health check reports why), rather than stopping every other rule.
  const plugins = options.hubStatus ? await options.hubStatus().catch(() => undefined) : undefined;
  return await db.transaction(async (tx) => {
    const summary: EvaluationSummary = {
      skipped: false,
      rules: 0,
      opened: [],
      resolved: [],
      queued: 0,
    };
    const [lock] = await tx.query<{ got: boolean }>(
      "select pg_try_advisory_xact_lock($1) as got",
      [ALERT_EVALUATION_LOCK],
    );
    if (!lock?.got) return { ...summary, skipped: true };
    const rules = await listAlertRules(tx);
    const active = await tx.query<ActiveAlert>(
      "select * from alerts where status in ('pending', 'open')",
    );
    const ctx: MetricContext = {
      db: tx,
      now: options.now,
      ...(plugins ? { hubStatus: () => Promise.resolve(plugins) } : {}),
    };
    const values = new Map<string, Promise<MetricValue[]>>();
    for (const rule of rules) {
      const mine = active.filter((a) => a.rule_id === rule.id);
      if (!rule.enabled) {
        // A disabled rule's alerts close, so a pager does not ring on forever.
        for (const alert of mine) await resolve(tx, rule, alert, options, summary);
        continue;
      }
      summary.rules++;
      const key = `${rule.metric}:${rule.groupBy ?? ""}`;
      if (!values.has(key)) {
        values.set(key, alertMetrics.get(rule.metric)!.compute(ctx, rule.groupBy));
      }
      const measured = await values.get(key)!;
      // No value is no news: an alert stays as it is until the metric says otherwise.
      if (measured.length === 0) continue;
      const groups = new Set(measured.map((m) => m.group));
      for (const alert of mine) {
        // Its group is gone, or the rule's grouping changed.
        if (!groups.has(alert.group_key)) await resolve(tx, rule, alert, options, summary);
      }
      for (const { group, value } of measured) {
        const alert = mine.find((a) => a.group_key === group);
        if (holds(value, rule.comparison, rule.threshold)) {
          await fire(tx, rule, alert, { group, value }, options, summary);
        } else if (alert) await resolve(tx, rule, alert, options, summary);
      }
    }
    return summary;
  });
}

async function fire(
  tx: Queryable,
  rule: AlertRule,
  existing: ActiveAlert | undefined,
  measured: MetricValue,
  options: EvaluateOptions,
  summary: EvaluationSummary,
): Promise<void> {
  const now = options.now;
  let alert = existing;
  if (!alert) {
    [alert] = await tx.query<ActiveAlert>(
      `insert into alerts (rule_id, group_key, status, severity, metric, comparison, threshold,
         value, pending_since, last_evaluated_at)
       values ($1, $2, 'pending', $3, $4, $5, $6, $7, $8, $8) returning *`,
      [
        rule.id,
        measured.group,
        rule.severity,
        rule.metric,
        rule.comparison,
        rule.threshold,
        measured.value,
        now,
      ],
    );
  }
  const heldMs = now.getTime() - new Date(alert!.pending_since).getTime();
  const opens = alert!.status === "pending" && heldMs >= rule.forSeconds * 1000;
  const silenced = rule.silencedUntil !== null && Date.parse(rule.silencedUntil) > now.getTime();
  const notify = (alert!.status === "open" || opens) && !alert!.notified && !silenced;
  await tx.query(
    `update alerts set value = $2, last_evaluated_at = $3, severity = $4, threshold = $5,
       status = case when $6 then 'open' else status end,
       opened_at = case when $6 then $3 else opened_at end,
       notified = notified or $7
     where id = $1`,
    [alert!.id, measured.value, now, rule.severity, rule.threshold, opens, notify],
  );
  if (opens) summary.opened.push(alert!.id);
  if (notify) summary.queued += await queue(tx, rule, alert!.id, "trigger", options);
}

async function resolve(
  tx: Queryable,
  rule: AlertRule,
  alert: ActiveAlert,
  options: EvaluateOptions,
  summary: EvaluationSummary,
): Promise<void> {
  if (alert.status === "pending") {
    // It never opened: nobody heard of it, so it leaves no trace.
    await tx.query("delete from alerts where id = $1", [alert.id]);
    return;
  }
  await tx.query(
    `update alerts set status = 'resolved', resolved_at = $2, last_evaluated_at = $2
     where id = $1`,
    [alert.id, options.now],
  );
  summary.resolved.push(alert.id);
  // Only those told of the alert hear that it is over.
  if (alert.notified) summary.queued += await queue(tx, rule, alert.id, "resolve", options);
}

const channelSetting: Record<AlertChannel, string> = {
  slack: "SLACK_WEBHOOK_URL",
  pagerduty: "PAGERDUTY_KEY",
  email: "SMTP_URL",
  webhook: "ALERT_WEBHOOK_URL",
};

/** Queues one notification per channel (per recipient for email); returns how many. */
async function queue(
  tx: Queryable,
  rule: AlertRule,
  alertId: number,
  kind: "trigger" | "resolve",
  options: EvaluateOptions,
): Promise<number> {
  const rows = rule.channels.flatMap((channel) =>
    (channel === "email" ? rule.recipients : [""]).map((target) => ({
      channel,
      target,
      skipped: !options.configured.has(channel),
    }))
  );
  if (rows.length === 0) return 0;
  // Statuses as text: postgres.js cannot send a boolean[] parameter.
  const inserted = await tx.query<{ id: number }>(
    `insert into alert_notifications (alert_id, kind, channel, target, status, next_attempt_at,
       last_error, created_at)
     select $1, $2, r.channel, r.target, r.status, $3,
       case when r.status = 'skipped' then r.setting || ' is not set in the engine that ' ||
         'evaluated it' end, $3
     from unnest($4::text[], $5::text[], $6::text[], $7::text[])
       as r (channel, target, status, setting)
     on conflict do nothing returning id`,
    [
      alertId,
      kind,
      options.now,
      rows.map((r) => r.channel),
      rows.map((r) => r.target),
      rows.map((r) => r.skipped ? "skipped" : "pending"),
      rows.map((r) => channelSetting[r.channel]),
    ],
  );
  return inserted.length;
}
