/**
 * Alert rules (issue 8): declarative rules over named engine metrics
 * (churn_rate, ml_accuracy, integration_health, …), evaluated on a schedule
 * by one engine at a time, with one alert per rule and group until it
 * resolves, acknowledgement and silences, and notifications to Slack,
 * PagerDuty, email and a webhook that are retried until delivered
 * (docs/alerts.md). A folder of its own rather than part of ops/: it sends
 * through plugins/ (postJson, the email channel), and plugins/ already uses
 * ops/ for telemetry.
 *
 * @example
 * ```ts
 * await installDefaultAlertRules(db, clock.now());
 * const senders = alertSenders(config, channels.get("email"));
 * await runAlertTick({ db, clock, log, senders, retryBaseMs: 30_000 });
 * const open = await listAlerts(db, { status: "open", limit: 50 });
 * ```
 */
export {
  alertMetrics,
  AT_RISK_SCORE,
  groupDimensions,
  type MetricContext,
  type MetricDefinition,
} from "./metrics.ts";
export {
  alertChannels,
  type AlertRuleFields,
  alertRuleIdSchema,
  type AlertRuleInput,
  alertRuleInputSchema,
  alertRuleUpdateSchema,
  comparisons,
  severities,
  silenceSchema,
} from "./rule_schema.ts";
export {
  type AlertChange,
  type AlertRule,
  createAlertRule,
  getAlertRule,
  installDefaultAlertRules,
  listAlertRules,
  silenceAlertRule,
  updateAlertRule,
} from "./rules_store.ts";
export {
  acknowledgeAlert,
  type Alert,
  type AlertFilter,
  type AlertNotification,
  getAlert,
  listAlerts,
} from "./alerts_store.ts";
export { evaluateAlerts, type EvaluationSummary } from "./evaluate.ts";
export { deliverAlertNotifications, type DeliverySummary } from "./deliver.ts";
export { type AlertNotice, type AlertSender, alertSenders, headline } from "./senders.ts";
export { type AlertTickDeps, runAlertTick, scheduleAlerts } from "./schedule.ts";
export { alertsCheck } from "./health_check.ts";
