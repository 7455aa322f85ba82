/**
 * Where alert notifications go: Slack (incoming webhook), PagerDuty (Events
 * API v2), email (through the email channel plugin's SMTP transport) and a
 * generic webhook (signed when ALERT_WEBHOOK_SECRET is set). Each sender
 * throws a DeliveryError that says whether a retry can help.
 */
import type { Config } from "../config.ts";
import { type Channel, postJson, signBody } from "../plugins/mod.ts";
import type { AlertChannel, Comparison, Severity } from "./rule_schema.ts";

/** One notification, with what a person needs to act on it. */
export interface AlertNotice {
  alertId: number;
  kind: "trigger" | "acknowledge" | "resolve";
  /** The email recipient; "" for the other channels. */
  target: string;
  rule: { id: string; name: string; description: string; severity: Severity };
  metric: string;
  comparison: Comparison;
  threshold: number;
  value: number;
  group: string;
  openedAt: string | null;
  resolvedAt: string | null;
}

/** Sends one notification; throws DeliveryError when it could not. */
export type AlertSender = (notice: AlertNotice, signal: AbortSignal) => Promise<void>;

const TIMEOUT_MS = 10_000;

/** One line a person reads first: `[CRITICAL] High Churn Risk: churn_rate 0.081 > 0.05`. */
export function headline(n: AlertNotice): string {
  const state = n.kind === "trigger"
    ? n.rule.severity.toUpperCase()
    : n.kind === "resolve"
    ? "RESOLVED"
    : "ACKNOWLEDGED";
  const group = n.group === "" ? "" : ` (${n.group})`;
  const value = Number(n.value.toFixed(4));
  // An acknowledge reads like the trigger it answers, marked ACKNOWLEDGED.
  return n.kind === "resolve"
    ? `[${state}] ${n.rule.name}${group}: ${n.metric} is ${value} again`
    : `[${state}] ${n.rule.name}${group}: ${n.metric} ${value} ${n.comparison} ${n.threshold}`;
}

function body(n: AlertNotice): string {
  return `${headline(n)}\n${n.rule.description}\nAlert ${n.alertId} of rule ${n.rule.id}` +
    `${n.openedAt ? `, open since ${n.openedAt}` : ""}` +
    `${n.resolvedAt ? `, resolved at ${n.resolvedAt}` : ""}.`;
}

const eventTypes: Record<AlertNotice["kind"], string> = {
  trigger: "alert.triggered",
  acknowledge: "alert.acknowledged",
  resolve: "alert.resolved",
};

/** The webhook's JSON: stable field names for receivers. */
function webhookPayload(n: AlertNotice) {
  return {
    type: eventTypes[n.kind],
    alertId: n.alertId,
    rule: n.rule,
    metric: n.metric,
    comparison: n.comparison,
    threshold: n.threshold,
    value: n.value,
    group: n.group,
    openedAt: n.openedAt,
    resolvedAt: n.resolvedAt,
    summary: headline(n),
  };
}

// PagerDuty's severities are fixed: critical, error, warning, info.
const pagerDutySeverity: Record<Severity, string> = {
  critical: "critical",
  high: "error",
  medium: "warning",
  low: "info",
};

/** The senders of the channels `config` sets up; `email` when the email channel runs. */
export function alertSenders(
  config: Pick<
    Config,
    | "SLACK_WEBHOOK_URL"
    | "PAGERDUTY_KEY"
    | "PAGERDUTY_EVENTS_URL"
    | "ALERT_WEBHOOK_URL"
    | "ALERT_WEBHOOK_SECRET"
  >,
  email?: Channel,
): Partial<Record<AlertChannel, AlertSender>> {
  const senders: Partial<Record<AlertChannel, AlertSender>> = {};
  const { SLACK_WEBHOOK_URL: slack, PAGERDUTY_KEY: routingKey, ALERT_WEBHOOK_URL: webhook } =
    config;
  if (slack) {
    senders.slack = async (n, signal) => {
      await postJson(slack, JSON.stringify({ text: body(n) }), {
        receiver: "Slack",
        signal,
        timeoutMs: TIMEOUT_MS,
      });
    };
  }
  if (routingKey) {
    senders.pagerduty = async (n, signal) => {
      const event = n.kind !== "trigger"
        ? { routing_key: routingKey, event_action: n.kind, dedup_key: String(n.alertId) }
        : {
          routing_key: routingKey,
          event_action: "trigger",
          // The alert's id: PagerDuty folds a repeat into one incident and resolves it by this.
          dedup_key: String(n.alertId),
          payload: {
            summary: headline(n).slice(0, 1024),
            source: "customer-success-engine",
            severity: pagerDutySeverity[n.rule.severity],
            component: n.metric,
            group: n.group || undefined,
            custom_details: webhookPayload(n),
          },
        };
      await postJson(config.PAGERDUTY_EVENTS_URL, JSON.stringify(event), {
        receiver: "PagerDuty",
        signal,
        timeoutMs: TIMEOUT_MS,
      });
    };
  }
  if (webhook) {
    senders.webhook = async (n, signal) => {
      const text = JSON.stringify(webhookPayload(n));
      const headers: Record<string, string> = { "Idempotency-Key": `alert-${n.alertId}-${n.kind}` };
      if (config.ALERT_WEBHOOK_SECRET) {
        const timestamp = Math.floor(Date.now() / 1000);
        headers["X-CS-Timestamp"] = String(timestamp);
        headers["X-CS-Signature"] = await signBody(config.ALERT_WEBHOOK_SECRET, timestamp, text);
      }
      await postJson(webhook, text, {
        receiver: "the alert webhook receiver",
        headers,
        signal,
        timeoutMs: TIMEOUT_MS,
      });
    };
  }
  if (email) {
    senders.email = async (n, signal) => {
      await email.send({
        interventionId: `alert-${n.alertId}`,
        dedupKey: `alert-${n.alertId}-${n.kind}-${n.target}`,
        channel: "email",
        // The channel sends to a customer; an alert's reader stands in for one.
        customer: { id: "alert", name: n.target, email: n.target, timeZone: "UTC", locale: "en" },
        subject: headline(n),
        html: null,
        text: body(n),
        links: { unsubscribe: null },
        test: false,
        source: { ruleId: n.rule.id, templateId: "alert", templateVersion: 1 },
      }, { signal });
    };
  }
  return senders;
}
