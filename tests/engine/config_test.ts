import { assertEquals, assertThrows } from "../helpers/assert.ts";
import { loadConfig, REDACTED, redactedConfig } from "../../engine/config.ts";
import { EngineError } from "../../engine/errors.ts";

Deno.test("loadConfig() fills defaults and treats empty values as unset", () => {
  const config = loadConfig({ PORT: "", DATA_DIR: " ", UNRELATED: "x" });
  assertEquals(config.PORT, 8080);
  assertEquals(config.DATA_DIR, ".data");
  assertEquals(config.DATABASE_URL, undefined);
  assertEquals(config.DATA_RETENTION_DAYS, 730);
  assertEquals(config.CUSTOMER_SUCCESS_ENABLED, true);
  assertEquals(Object.isFrozen(config), true);
});

Deno.test("loadConfig() reports one line per bad variable, naming it", () => {
  const error = assertThrows(
    () =>
      loadConfig({
        PORT: "eighty",
        DATABASE_URL: "mysql://db",
        CUSTOMER_SUCCESS_ENABLED: "maybe",
        CYCLE_SCHEDULE: "hourly",
      }),
    EngineError,
  );
  assertEquals(error.code, "CONFIG_INVALID");
  assertEquals(error.issues.map((i) => i.path).sort(), [
    "CUSTOMER_SUCCESS_ENABLED",
    "CYCLE_SCHEDULE",
    "DATABASE_URL",
    "PORT",
  ]);
  assertEquals(error.message, "Invalid configuration: 4 environment variable(s) must be fixed");
});

Deno.test("loadConfig() checks CYCLE_SCHEDULE field by field", () => {
  const problemOf = (schedule: string) => {
    const error = assertThrows(() => loadConfig({ CYCLE_SCHEDULE: schedule }), EngineError);
    return error.issues[0]?.message;
  };
  assertEquals(problemOf("75 * * * *"), 'minute field "75": 75 is outside 0–59');
  assertEquals(
    problemOf("0 9 * * 0"),
    'day of week field "0": 0 is outside 1–7 (1 = Sunday … 7 = Saturday)',
  );
  assertEquals(problemOf("0 */0 * * *"), 'hour field "*/0": a step must be at least 1');
  assertEquals(problemOf("0 0 * 12-3 *"), 'month field "12-3": the range 12-3 runs backwards');
  assertEquals(
    problemOf("0 0 * * mon"),
    'day of week field "mon" is not understood: use *, a number, a range a-b, ' +
      "a step */n or a-b/n, or a list of those separated by commas",
  );
  for (const valid of ["*/15 * * * *", "0 6,18 1-15 * 1-5", "30 2 * 4-9/2 1"]) {
    assertEquals(loadConfig({ CYCLE_SCHEDULE: valid }).CYCLE_SCHEDULE, valid);
  }
});

Deno.test("loadConfig() gives the seed's variables their defaults", () => {
  const config = loadConfig({});
  assertEquals(
    [
      config.ML_CHURN_PREDICTION_ENABLED,
      config.INTERVENTION_SYSTEM_ENABLED,
      config.SUCCESS_EVENT_HUB_ENABLED,
      config.PRIVACY_MANAGER_ENABLED,
      config.HEALTH_MONITORING_ENABLED,
      config.GDPR_COMPLIANCE_MODE,
    ],
    [true, true, true, true, true, true],
  );
  assertEquals(config.ML_MODEL_VERSION, undefined);
  assertEquals(config.ML_MODEL_PATH, "models/churn_prediction");
  assertEquals(config.ML_CONFIDENCE_THRESHOLD, 0.7);
  assertEquals(config.ML_BATCH_SIZE, 10_000);
  assertEquals(config.HEALTH_CHECK_INTERVAL, 60_000);
  for (const key of ["VIRAL_API_ENDPOINT", "DASHBOARD_WS_ENDPOINT", "SLACK_WEBHOOK_URL"] as const) {
    assertEquals(config[key], undefined);
  }
});

Deno.test("loadConfig() reads the seed's example environment", () => {
  const config = loadConfig({
    CUSTOMER_SUCCESS_ENABLED: "true",
    ML_CHURN_PREDICTION_ENABLED: "false",
    ML_MODEL_VERSION: "1.0.0",
    ML_MODEL_PATH: "/models/churn_prediction",
    ML_CONFIDENCE_THRESHOLD: "0.7",
    ML_BATCH_SIZE: "100",
    VIRAL_API_ENDPOINT: "https://api.wedsync.com/viral",
    DASHBOARD_WS_ENDPOINT: "wss://ws.wedsync.com/dashboard",
    HEALTH_CHECK_INTERVAL: "30000",
    SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T0/B0/abc",
    PRIVACY_ENCRYPTION_KEY: "a".repeat(64),
    GDPR_COMPLIANCE_MODE: "no",
    DATA_RETENTION_DAYS: "730",
  });
  assertEquals(config.ML_CHURN_PREDICTION_ENABLED, false);
  assertEquals(config.ML_MODEL_VERSION, "1.0.0");
  assertEquals(config.HEALTH_CHECK_INTERVAL, 30_000);
  assertEquals(config.DASHBOARD_WS_ENDPOINT, "wss://ws.wedsync.com/dashboard");
  assertEquals(config.GDPR_COMPLIANCE_MODE, false);
  const base64Key = btoa(String.fromCharCode(...new Uint8Array(32).fill(7)));
  assertEquals(loadConfig({ PRIVACY_ENCRYPTION_KEY: base64Key }).PRIVACY_ENCRYPTION_KEY, base64Key);
});

Deno.test("loadConfig() names each bad seed variable and never repeats a secret", () => {
  const secrets = {
    PAGERDUTY_KEY: "xxx",
    PRIVACY_ENCRYPTION_KEY: "not-a-key-s3cr3t",
    SLACK_WEBHOOK_URL: "hooks.slack.com/services/T0/B0/s3cr3t",
  };
  const error = assertThrows(
    () =>
      loadConfig({
        ...secrets,
        ML_CONFIDENCE_THRESHOLD: "1.5",
        ML_BATCH_SIZE: "0",
        ML_MODEL_VERSION: "latest",
        DASHBOARD_WS_ENDPOINT: "https://ws.example.com/dashboard",
        VIRAL_API_ENDPOINT: "ftp://example.com/viral",
        HEALTH_CHECK_INTERVAL: "10",
        INTERVENTION_SYSTEM_ENABLED: "on",
      }),
    EngineError,
  );
  assertEquals(Object.fromEntries(error.issues.map((i) => [i.path, i.message])), {
    PAGERDUTY_KEY: "must be a PagerDuty integration (routing) key: 16–128 letters and digits",
    PRIVACY_ENCRYPTION_KEY: "must be a 256-bit key: 64 hex digits or 32 bytes in base64 " +
      "(e.g. from openssl rand -base64 32)",
    SLACK_WEBHOOK_URL:
      "must be an http:// or https:// URL, e.g. https://hooks.slack.com/services/T000/B000/XXXX",
    ML_CONFIDENCE_THRESHOLD: "must be a number from 0 to 1",
    ML_BATCH_SIZE: "must be greater than 0",
    ML_MODEL_VERSION: "must be a model version like 1.0.0",
    DASHBOARD_WS_ENDPOINT: "must be a ws:// or wss:// URL, e.g. wss://ws.example.com/dashboard",
    VIRAL_API_ENDPOINT: "must be an http:// or https:// URL, e.g. https://api.example.com/viral",
    HEALTH_CHECK_INTERVAL: "must be at least 1000 (milliseconds)",
    INTERVENTION_SYSTEM_ENABLED: "must be true or false",
  });
  const printed = JSON.stringify([error.message, error.issues]);
  for (const secret of ["s3cr3t", "not-a-key"]) assertEquals(printed.includes(secret), false);
});

Deno.test("redactedConfig() hides secrets, webhook tokens, passwords and query values", () => {
  const config = loadConfig({
    DATABASE_URL: "postgres://cs:hunter2@db.internal:5432/cs",
    PAGERDUTY_KEY: "R0ut1ngKey0123456789abcdef012345",
    PRIVACY_ENCRYPTION_KEY: "b".repeat(64),
    INIT_ADMIN_TOKEN: "t".repeat(40),
    SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T0/B0/slacksecret",
    ALERT_WEBHOOK_URL: "https://alerts.example.com/hook/alertsecret",
    MARKETING_API_ENDPOINT: "https://api.example.com/marketing?api_key=querysecret&v=2",
    VIRAL_API_ENDPOINT: "https://api.example.com/viral",
  });
  const shown = redactedConfig(config);
  assertEquals(shown.DATABASE_URL, "postgres://cs:redacted@db.internal:5432/cs");
  assertEquals(shown.PAGERDUTY_KEY, REDACTED);
  assertEquals(shown.PRIVACY_ENCRYPTION_KEY, REDACTED);
  assertEquals(shown.INIT_ADMIN_TOKEN, REDACTED);
  assertEquals(shown.SLACK_WEBHOOK_URL, "https://hooks.slack.com/[redacted]");
  assertEquals(shown.ALERT_WEBHOOK_URL, "https://alerts.example.com/[redacted]");
  assertEquals(
    shown.MARKETING_API_ENDPOINT,
    "https://api.example.com/marketing?api_key=redacted&v=redacted",
  );
  assertEquals(shown.VIRAL_API_ENDPOINT, "https://api.example.com/viral");
  assertEquals(shown.PORT, 8080);
  assertEquals(shown.DASHBOARD_WS_ENDPOINT, undefined);
  const text = JSON.stringify(shown);
  for (const secret of ["hunter2", "R0ut1ng", "bbbb", "tttt", "slacksecret", "alertsecret"]) {
    assertEquals(text.includes(secret), false, secret);
  }
  assertEquals(text.includes("querysecret"), false);
});
