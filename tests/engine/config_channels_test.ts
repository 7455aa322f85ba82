import { assertEquals, assertThrows } from "../helpers/assert.ts";
import { loadConfig, REDACTED, redactedConfig } from "../../engine/config.ts";
import { EngineError } from "../../engine/errors.ts";

Deno.test("loadConfig() leaves the delivery channels off by default", () => {
  const config = loadConfig({});
  assertEquals(config.SMTP_URL, undefined);
  assertEquals(config.EMAIL_FROM, "Customer Success <success@localhost>");
  assertEquals(config.PUBLIC_URL, "http://127.0.0.1:8080");
  assertEquals(config.SLACK_INTERVENTION_WEBHOOK_URL, undefined);
  assertEquals(config.INTERVENTION_WEBHOOK_URL, undefined);
  assertEquals(config.INTERVENTION_WEBHOOK_SECRET, undefined);
});

Deno.test("loadConfig() names each bad channel variable without repeating secrets", () => {
  const error = assertThrows(
    () =>
      loadConfig({
        SMTP_URL: "mailto://user:hunter2@mail.example.com",
        EMAIL_FROM: "Customer Success",
        SLACK_INTERVENTION_WEBHOOK_URL: "hooks.slack.com/services/T0/B0/s3cr3t",
        INTERVENTION_WEBHOOK_SECRET: "tiny-s3cr3t",
        PUBLIC_URL: "success.example.com",
      }),
    EngineError,
  );
  assertEquals(error.code, "CONFIG_INVALID");
  assertEquals(error.issues.map((i) => i.path).sort(), [
    "EMAIL_FROM",
    "INTERVENTION_WEBHOOK_SECRET",
    "PUBLIC_URL",
    "SLACK_INTERVENTION_WEBHOOK_URL",
    "SMTP_URL",
  ]);
  const text = JSON.stringify(error.issues);
  for (const secret of ["hunter2", "s3cr3t"]) assertEquals(text.includes(secret), false);
});

Deno.test("loadConfig() refuses INTERVENTION_WEBHOOK_URL without its secret, naming both", () => {
  const error = assertThrows(
    () => loadConfig({ INTERVENTION_WEBHOOK_URL: "https://crm.example.com/hooks", PORT: "x" }),
    EngineError,
  );
  assertEquals(error.issues, [
    { path: "PORT", message: "must be a port number" },
    {
      path: "INTERVENTION_WEBHOOK_SECRET",
      message:
        "must be set when INTERVENTION_WEBHOOK_URL is set: the webhook channel signs every " +
        "post with it (at least 16 characters, e.g. openssl rand -hex 32)",
    },
  ]);
});

Deno.test("redactedConfig() hides the SMTP password, the webhook secret and the webhook paths", () => {
  const shown = redactedConfig(loadConfig({
    SMTP_URL: "smtp://mailer:hunter2@mail.example.com:587",
    EMAIL_FROM: "cs@example.com",
    SLACK_INTERVENTION_WEBHOOK_URL: "https://hooks.slack.com/services/T0/B0/s3cr3t",
    INTERVENTION_WEBHOOK_URL: "https://crm.example.com/hooks/t0k3n",
    INTERVENTION_WEBHOOK_SECRET: "0123456789abcdef",
  }));
  assertEquals(shown.SMTP_URL, "smtp://mailer:redacted@mail.example.com:587");
  assertEquals(shown.SLACK_INTERVENTION_WEBHOOK_URL, `https://hooks.slack.com/${REDACTED}`);
  assertEquals(shown.INTERVENTION_WEBHOOK_URL, `https://crm.example.com/${REDACTED}`);
  assertEquals(shown.INTERVENTION_WEBHOOK_SECRET, REDACTED);
  assertEquals(shown.EMAIL_FROM, "cs@example.com");
});
