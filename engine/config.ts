/**
 * The engine's configuration: read from the environment once, parsed with
 * zod, frozen, and passed to whatever needs it. docs/configuration.md lists
 * every variable.
 *
 * @example
 * ```ts
 * const config = loadConfig(Deno.env.toObject());
 * ```
 */
import { z } from "zod";
import { EngineError } from "./errors.ts";
import { zodIssues } from "./validation.ts";
import { cronProblem } from "./cron_expression.ts";
import { parseQuietHours } from "./quiet_hours.ts";
import { parseInterventionCosts } from "./intervention_costs.ts";

const booleanFlag = z.enum(["true", "false", "1", "0", "yes", "no"], {
  error: "must be true or false",
}).transform((v) => v === "true" || v === "1" || v === "yes");

const positiveInt = z.coerce.number({ error: "must be a whole number" }).int(
  "must be a whole number",
).positive("must be greater than 0");

const cronExpression = z.string().superRefine((value, ctx) => {
  const problem = cronProblem(value);
  if (problem !== null) ctx.addIssue({ code: "custom", message: problem });
});
const cronOrOff = z.string().superRefine((value, ctx) => {
  const problem = value === "off" ? null : cronProblem(value);
  if (problem !== null) ctx.addIssue({ code: "custom", message: `${problem}, or off` });
});

// Messages never repeat the value: several of these hold secrets.
const httpUrl = (example: string) =>
  z.url({ protocol: /^https?$/, error: `must be an http:// or https:// URL, e.g. ${example}` });

const smtpUrl = z.url({
  protocol: /^smtps?$/,
  error: "must be an smtp:// or smtps:// URL, e.g. smtp://user:password@mail.example.com:587",
});

// "Name <address>" or a bare address; the domain may be a single label (localhost).
const MAILBOX = /^(?:[^<>]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/;

const wsUrl = z.url({
  protocol: /^wss?$/,
  error: "must be a ws:// or wss:// URL, e.g. wss://ws.example.com/dashboard",
});

/** AES-256 needs exactly 32 bytes: accept them as 64 hex digits or as base64. */
function isAes256Key(value: string): boolean {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return true;
  if (!/^[A-Za-z0-9+/]{43}=?$/.test(value)) return false;
  try {
    return atob(value.length === 43 ? `${value}=` : value).length === 32;
  } catch {
    return false;
  }
}

const configSchema = z.object({
  DATABASE_URL: z.url({
    protocol: /^postgres(ql)?$/,
    error: "must be a postgres:// URL, e.g. postgres://user@127.0.0.1:5432/db",
  }).optional(),
  DATABASE_POOL_SIZE: positiveInt.default(10),
  DATA_DIR: z.string().min(1).default(".data"),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: z.coerce.number({ error: "must be a port number" }).int().min(0).max(65535).default(
    8080,
  ),
  // Where people reach the engine (links in messages); not where it listens.
  // Unset: the engine's own address (HOST and PORT), right for a machine of one's own.
  PUBLIC_URL: httpUrl("https://success.example.com").optional(),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  CUSTOMER_SUCCESS_ENABLED: booleanFlag.default(true),
  // The seed's feature switches, ML settings, integration endpoints,
  // monitoring and privacy variables (docs/configuration.md says which issue uses each).
  ML_CHURN_PREDICTION_ENABLED: booleanFlag.default(true),
  INTERVENTION_SYSTEM_ENABLED: booleanFlag.default(true),
  SUCCESS_EVENT_HUB_ENABLED: booleanFlag.default(true),
  PRIVACY_MANAGER_ENABLED: booleanFlag.default(true),
  HEALTH_MONITORING_ENABLED: booleanFlag.default(true),
  ML_MODEL_VERSION: z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, {
    error: "must be a model version like 1.0.0",
  }).optional(),
  ML_MODEL_PATH: z.string().min(1).default("models/churn_prediction"),
  ML_CONFIDENCE_THRESHOLD: z.coerce.number({ error: "must be a number from 0 to 1" })
    .min(0, "must be a number from 0 to 1").max(1, "must be a number from 0 to 1").default(0.7),
  // Rows per call into the model: large, so the per-call cost is spread thin.
  ML_BATCH_SIZE: positiveInt.max(100_000, "must be at most 100000").default(10_000),
  ML_SCORER: z.enum(["auto", "onnxruntime", "typescript"], {
    error: "must be auto, onnxruntime or typescript",
  }).default("auto"),
  ML_HORIZON_DAYS: positiveInt.max(730, "must be at most 730").default(90),
  // The seed's "ML Model Degradation: ml_accuracy < 0.75".
  ML_ACCURACY_ALERT_THRESHOLD: z.coerce.number({ error: "must be a number from 0 to 1" })
    .min(0, "must be a number from 0 to 1").max(1, "must be a number from 0 to 1").default(0.75),
  // The seed's "ML Model Retraining: Weekly" (Mondays 03:00 UTC); "off" turns it off.
  ML_RETRAIN_SCHEDULE: cronOrOff.default("0 3 * * 1"),
  VIRAL_API_ENDPOINT: httpUrl("https://api.example.com/viral").optional(),
  MARKETING_API_ENDPOINT: httpUrl("https://api.example.com/marketing").optional(),
  DASHBOARD_WS_ENDPOINT: wsUrl.optional(),
  OFFLINE_SYNC_ENDPOINT: httpUrl("https://api.example.com/offline").optional(),
  // More plugins, each a folder with plugin.json and mod.ts, run sandboxed (docs/plugins.md).
  PLUGINS_DIR: z.string().min(1, "must be a folder path").optional(),
  HEALTH_CHECK_INTERVAL: z.coerce.number({ error: "must be a whole number of milliseconds" })
    .int("must be a whole number of milliseconds")
    .min(1_000, "must be at least 1000 (milliseconds)")
    .max(86_400_000, "must be at most 86400000 (one day, in milliseconds)")
    .default(60_000),
  ALERT_WEBHOOK_URL: httpUrl("https://alerts.example.com/webhook").optional(),
  SLACK_WEBHOOK_URL: httpUrl("https://hooks.slack.com/services/T000/B000/XXXX").optional(),
  PAGERDUTY_KEY: z.string().regex(/^[A-Za-z0-9_+-]{16,128}$/, {
    error: "must be a PagerDuty integration (routing) key: 16–128 letters and digits",
  }).optional(),
  // Alert rules (docs/alerts.md): when they are evaluated, where PagerDuty events go,
  // how alert webhooks are signed, and how long the first retry of a notification waits.
  ALERT_EVALUATION_SCHEDULE: cronOrOff.default("* * * * *"),
  PAGERDUTY_EVENTS_URL: httpUrl("https://events.pagerduty.com/v2/enqueue").default(
    "https://events.pagerduty.com/v2/enqueue",
  ),
  ALERT_WEBHOOK_SECRET: z.string().min(16, {
    error: "must be at least 16 characters (e.g. openssl rand -hex 32)",
  }).optional(),
  ALERT_RETRY_BASE_SECONDS: positiveInt.max(3_600, "must be at most 3600").default(30),
  PRIVACY_ENCRYPTION_KEY: z.string().refine(isAes256Key, {
    error: "must be a 256-bit key: 64 hex digits or 32 bytes in base64 " +
      "(e.g. from openssl rand -base64 32)",
  }).optional(),
  // Keys that older values may still be under while `deno task keys:rotate` moves them
  // to PRIVACY_ENCRYPTION_KEY (docs/privacy.md, "Encryption at rest"): comma-separated.
  PRIVACY_ENCRYPTION_KEY_PREVIOUS: z.string().refine(
    (text) => text.split(",").map((k) => k.trim()).filter((k) => k !== "").every(isAes256Key),
    { error: "must be comma-separated 256-bit keys: 64 hex digits or 32 bytes in base64 each" },
  ).optional(),
  // A JSON key file (deno task keys:generate); takes precedence over PRIVACY_ENCRYPTION_KEY.
  PII_KEY_FILE: z.string().min(1, "must be a file path").optional(),
  // The seed's "key rotation every 90 days": an active key older than this degrades the
  // privacy health and warns in validate, until new keys are configured and rotated to.
  PII_KEY_ROTATION_DAYS: positiveInt.max(3650).default(90),
  GDPR_COMPLIANCE_MODE: booleanFlag.default(true),
  // Delivery channels (plugins/email, slack, webhook): a channel without its settings is off.
  SMTP_URL: smtpUrl.optional(),
  EMAIL_FROM: z.string().regex(MAILBOX, {
    error:
      'must be an address, optionally with a name, e.g. "Customer Success <success@example.com>"',
  }).default("Customer Success <success@localhost>"),
  SLACK_INTERVENTION_WEBHOOK_URL: httpUrl("https://hooks.slack.com/services/T000/B000/XXXX")
    .optional(),
  INTERVENTION_WEBHOOK_URL: httpUrl("https://crm.example.com/hooks/interventions").optional(),
  INTERVENTION_WEBHOOK_SECRET: z.string().min(16, {
    error: "must be at least 16 characters (e.g. openssl rand -hex 32)",
  }).optional(),
  DEMO_DATA: z.enum(["auto", "true", "false"]).default("auto"),
  DEMO_CUSTOMERS: positiveInt.default(500),
  CYCLE_SCHEDULE: cronExpression.default("0 * * * *"),
  CYCLE_LEASE_SECONDS: positiveInt.default(60),
  CYCLE_CATCH_UP: z.enum(["run", "skip"], {
    error: "must be run (a scheduled cycle missed while no engine ran runs once at start) or skip",
  }).default("run"),
  RULE_FAILURE_LIMIT: positiveInt.max(100).default(3),
  INTERVENTION_FREQUENCY_CAP: positiveInt.max(100).default(2),
  INTERVENTION_FREQUENCY_DAYS: positiveInt.max(365).default(7),
  QUIET_HOURS: z.string().refine((text) => parseQuietHours(text) !== undefined, {
    error: 'must be local hours like "21:00-08:00" (start-end, 24-hour clock) or "off"',
  }).default("21:00-08:00"),
  DELIVERY_MAX_ATTEMPTS: positiveInt.max(50).default(6),
  DELIVERY_BATCH_SIZE: positiveInt.max(10_000).default(200),
  DELIVERY_CONCURRENCY: positiveInt.max(256).default(32),
  DELIVERY_LEASE_SECONDS: positiveInt.default(120),
  SCORING_BATCH_SIZE: positiveInt.max(100_000).default(5_000),
  SCORING_CONCURRENCY: positiveInt.max(16).default(2),
  HEALTH_CHANGE_THRESHOLD: z.coerce.number().min(0).max(100).default(5),
  // The most points health boosts (engine/health/boosts.ts) add to one customer's score.
  HEALTH_BOOST_MAX_POINTS: z.coerce.number({ error: "must be a number from 0 to 100" })
    .min(0, "must be a number from 0 to 100").max(100, "must be a number from 0 to 100")
    .default(10),
  EVENT_BATCH_LIMIT: positiveInt.max(10_000).default(1_000),
  EVENT_FUTURE_TOLERANCE_SECONDS: z.coerce.number().int().min(0).default(300),
  // The event hub's delivery to plugins (docs/events.md, "Delivery to plugins").
  EVENT_HUB_BATCH_SIZE: positiveInt.max(10_000).default(100),
  // Only the fallback: deliverers wake at once on each commit (LISTEN/NOTIFY).
  EVENT_HUB_POLL_INTERVAL_MS: positiveInt.min(10).max(60_000).default(1_000),
  EVENT_HUB_LEASE_SECONDS: positiveInt.max(3_600).default(30),
  EVENT_HUB_LAG_ALERT_SECONDS: positiveInt.default(300),
  PLUGIN_HANDLER_TIMEOUT_MS: positiveInt.max(600_000).default(10_000),
  PLUGIN_MAX_ATTEMPTS: positiveInt.max(100).default(10),
  PLUGIN_RETRY_BASE_MS: positiveInt.max(600_000).default(1_000),
  PLUGIN_BREAKER_FAILURES: positiveInt.max(100).default(5),
  PLUGIN_BREAKER_COOLDOWN_SECONDS: positiveInt.max(86_400).default(60),
  DATA_RETENTION_DAYS: positiveInt.default(730),
  // The retention job (docs/privacy.md "Retention"): daily at 02:30 UTC by default, one
  // engine per tick; rows per delete statement, small so each transaction stays short.
  RETENTION_SCHEDULE: cronOrOff.default("30 2 * * *"),
  RETENTION_BATCH_SIZE: positiveInt.max(100_000).default(5_000),
  // Privacy requests (docs/privacy.md "Privacy requests") are processed on this schedule by one
  // engine per tick: every minute by default, so a request is answered within minutes.
  PRIVACY_REQUEST_SCHEDULE: cronOrOff.default("* * * * *"),
  // mv_success_metrics is refreshed on this schedule by one engine per tick (the seed: hourly).
  SUCCESS_METRICS_REFRESH_SCHEDULE: cronOrOff.default("0 * * * *"),
  // Cost per sent intervention by channel for the ROI report, over the defaults (docs/reports.md).
  REPORT_INTERVENTION_COSTS: z.string().refine(
    (text) => parseInterventionCosts(text) !== undefined,
    {
      error: 'must be channel=cost pairs like "email=0.05,slack=5,*=1" (costs are plain numbers)',
    },
  ).default(""),
  REQUEST_BODY_LIMIT_BYTES: positiveInt.default(5 * 1024 * 1024),
  // On SIGTERM, readiness answers 503 this long while requests are still served, so a load
  // balancer stops sending new ones before the engine stops listening (docs/operations.md).
  SHUTDOWN_DELAY_SECONDS: z.coerce.number({ error: "must be whole seconds from 0 to 300" })
    .int("must be whole seconds from 0 to 300").min(0, "must be whole seconds from 0 to 300")
    .max(300, "must be whole seconds from 0 to 300").default(5),
  INIT_ADMIN_TOKEN: z.string().regex(/^[A-Za-z0-9_\-.~+/=]{32,200}$/, {
    error: "must be 32–200 characters of A–Z, a–z, 0–9 and _-.~+/= (e.g. openssl rand -hex 32)",
  }).optional(),
  // The console's admin user for automation (docs/console.md); the password is a secret.
  INIT_ADMIN_EMAIL: z.string().regex(/^[^\s@]+@[^\s@]+$/, {
    error: "must be an email address, e.g. admin@example.com",
  }).optional(),
  INIT_ADMIN_PASSWORD: z.string().min(12, { error: "must be at least 12 characters" })
    .max(200, { error: "must be at most 200 characters" }).optional(),
  CONSOLE_SESSION_IDLE_MINUTES: positiveInt.max(1440, "must be at most 1440 (a day)").default(30),
  CONSOLE_SESSION_MAX_HOURS: positiveInt.max(720, "must be at most 720 (30 days)").default(12),
  CONSOLE_LOCKOUT_ATTEMPTS: positiveInt.max(100, "must be at most 100").default(5),
  CONSOLE_LOCKOUT_MINUTES: positiveInt.max(1440, "must be at most 1440 (a day)").default(15),
  RATE_LIMIT_PER_MINUTE: positiveInt.default(6_000),
  RATE_LIMIT_BURST: positiveInt.default(1_000),
  TOKEN_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(5),
  // Deno's built-in OpenTelemetry reads these itself at process start (docs/telemetry.md);
  // they are checked here so a value Deno would ignore stops the start with a clear message.
  OTEL_DENO: z.enum(["true", "false"], {
    error: "must be true or false (Deno accepts nothing else)",
  }).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl("http://otel-collector:4318").optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(["http/protobuf", "http/json", "console"], {
    error: "must be http/protobuf, http/json or console (Deno does not export over gRPC)",
  }).optional(),
}).refine(
  // Receivers authenticate interventions by their signature: never post them unsigned.
  (config) =>
    config.INTERVENTION_WEBHOOK_URL === undefined ||
    config.INTERVENTION_WEBHOOK_SECRET !== undefined,
  {
    path: ["INTERVENTION_WEBHOOK_SECRET"],
    error: "must be set when INTERVENTION_WEBHOOK_URL is set: the webhook channel signs " +
      "every post with it (at least 16 characters, e.g. openssl rand -hex 32)",
    // Reported with the other bad variables, not only once they are fixed.
    when: () => true,
  },
).refine(
  (config) =>
    (config.INIT_ADMIN_EMAIL === undefined) === (config.INIT_ADMIN_PASSWORD === undefined),
  {
    path: ["INIT_ADMIN_PASSWORD"],
    error: "INIT_ADMIN_EMAIL and INIT_ADMIN_PASSWORD go together: set both, or neither",
    when: () => true,
  },
);

/** The parsed, frozen configuration. */
export type Config = Readonly<
  Omit<z.output<typeof configSchema>, "PUBLIC_URL"> & {
    /** Always set: PUBLIC_URL, or the engine's own address when it is unset. */
    PUBLIC_URL: string;
  }
>;

/**
 * Parses the environment into a Config, or throws CONFIG_INVALID with one
 * issue per bad variable. Empty strings count as unset.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const known = Object.keys(configSchema.shape);
  const input: Record<string, string> = {};
  for (const key of known) {
    const value = env[key];
    if (value !== undefined && value.trim() !== "") input[key] = value.trim();
  }
  const result = configSchema.safeParse(input);
  if (!result.success) {
    const issues = zodIssues(result.error);
    throw new EngineError(
      "CONFIG_INVALID",
      `Invalid configuration: ${issues.length} environment variable(s) must be fixed`,
      { issues },
    );
  }
  const host = result.data.HOST === "0.0.0.0" ? "127.0.0.1" : result.data.HOST;
  return Object.freeze({
    ...result.data,
    PUBLIC_URL: result.data.PUBLIC_URL ?? `http://${host}:${result.data.PORT}`,
  });
}

/** Where the engine keeps its data, for messages: the PostgreSQL server or the PGlite folder. */
export function describeStorage(config: Config): string {
  if (config.DATABASE_URL === undefined) {
    return `embedded PostgreSQL (PGlite) in ${config.DATA_DIR}`;
  }
  const url = new URL(config.DATABASE_URL);
  return `PostgreSQL at ${url.hostname}:${url.port || "5432"}${url.pathname}`;
}

/** Variables that are secrets as a whole: shown only as set or unset. */
const secretKeys: ReadonlySet<string> = new Set([
  "INIT_ADMIN_TOKEN",
  "INIT_ADMIN_PASSWORD",
  "PAGERDUTY_KEY",
  "PRIVACY_ENCRYPTION_KEY",
  "PRIVACY_ENCRYPTION_KEY_PREVIOUS",
  "INTERVENTION_WEBHOOK_SECRET",
  "ALERT_WEBHOOK_SECRET",
]);

/** Webhook URLs whose path is the credential (Slack's /services/T…/B…/token). */
const tokenUrlKeys: ReadonlySet<string> = new Set([
  "ALERT_WEBHOOK_URL",
  "SLACK_WEBHOOK_URL",
  "SLACK_INTERVENTION_WEBHOOK_URL",
  "INTERVENTION_WEBHOOK_URL",
]);

/** The mark that replaces a secret. */
export const REDACTED = "[redacted]";

/**
 * The configuration as it may be shown (health details, debug logs): secrets
 * replaced by "[redacted]", webhook URLs cut to their origin, and passwords
 * and query values removed from other URLs.
 */
export function redactedConfig(config: Config): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (typeof value !== "string") shown[key] = value;
    else if (secretKeys.has(key)) shown[key] = REDACTED;
    else if (tokenUrlKeys.has(key)) shown[key] = `${new URL(value).origin}/${REDACTED}`;
    else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) shown[key] = redactUrl(value);
    else shown[key] = value;
  }
  return shown;
}

/** `url` without its password or the values of its query parameters (API keys live there). */
export function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== "") parsed.password = "redacted";
  for (const name of [...new Set(parsed.searchParams.keys())]) {
    parsed.searchParams.set(name, "redacted");
  }
  return parsed.toString();
}
