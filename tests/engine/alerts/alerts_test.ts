/**
 * Alert rules end to end on loopback: a real Slack-like, PagerDuty-like and
 * webhook receiver (HTTP peers) and a real SMTP server receive what an
 * evaluation sends, once per alert, and its resolve; a receiver that is down
 * gets the notification later, nothing lost.
 */
import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { withTestDb } from "../../helpers/db.ts";
import { movableClock, NOW } from "../../helpers/fixtures.ts";
import { startSmtpServer, type TestSmtpServer } from "../../plugins/email/smtp_server.ts";
import {
  acknowledgeAlert,
  alertsCheck,
  alertSenders,
  type AlertTickDeps,
  createAlertRule,
  evaluateAlerts,
  getAlert,
  installDefaultAlertRules,
  listAlertRules,
  listAlerts,
  runAlertTick,
  scheduleAlerts,
  silenceAlertRule,
} from "../../../engine/alerts/mod.ts";
import { loadConfig } from "../../../engine/config.ts";
import type { Db } from "../../../engine/db/mod.ts";
import { silentLogger } from "../../../engine/log.ts";
import { type Channel, verifyBodySignature } from "../../../engine/plugins/mod.ts";
import { type LoopbackPeer, startLoopbackPeer } from "../../../engine/plugins/testing/mod.ts";
import { createEmailChannel, emailSettings } from "../../../plugins/email/mod.ts";

const SECRET = "alert-webhook-secret-0123456789";
const ROUTING_KEY = "R0UT1NGKEY0123456789abcd";
const MINUTE = 60_000;

interface Receivers {
  slack: LoopbackPeer;
  pagerduty: LoopbackPeer;
  webhook: LoopbackPeer;
  smtp: TestSmtpServer;
  email: Channel;
  deps: AlertTickDeps;
  clock: ReturnType<typeof movableClock>;
}

async function withReceivers(fn: (db: Db, r: Receivers) => Promise<void>): Promise<void> {
  const slack = startLoopbackPeer("/services/T0/B0/x");
  const pagerduty = startLoopbackPeer("/v2/enqueue");
  const webhook = startLoopbackPeer("/alerts");
  const smtp = await startSmtpServer();
  const config = loadConfig({
    SLACK_WEBHOOK_URL: slack.url,
    PAGERDUTY_KEY: ROUTING_KEY,
    PAGERDUTY_EVENTS_URL: pagerduty.url,
    ALERT_WEBHOOK_URL: webhook.url,
    ALERT_WEBHOOK_SECRET: SECRET,
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    EMAIL_FROM: "Alerts <alerts@example.com>",
  });
  const email = createEmailChannel(emailSettings(config)!);
  const clock = movableClock();
  try {
    await withTestDb(async (db) => {
      const deps: AlertTickDeps = {
        db,
        clock,
        log: silentLogger,
        senders: alertSenders(config, email),
        retryBaseMs: 30_000,
      };
      await fn(db, { slack, pagerduty, webhook, smtp, email, deps, clock });
    });
  } finally {
    await email.close?.();
    await Promise.all([slack.close(), pagerduty.close(), webhook.close(), smtp.close()]);
  }
}

/** Ten customers on two plans, active since January; `churned` of them churned yesterday. */
async function seedCustomers(db: Db, churned: number, plan = "professional"): Promise<void> {
  await db.query(
    `insert into customers (id, name, vendor_type, plan, country, time_zone, signup_date,
       churned_at)
     select 'sup_' || $3 || i, 'Supplier ' || i, 'venue', $3, 'GB', 'Europe/London',
       '2026-01-10', case when i <= $1 then $2::timestamptz end
     from generate_series(1, 10) i`,
    [churned, new Date(NOW.getTime() - 86_400_000), plan],
  );
}

async function churnRule(db: Db, fields: Record<string, unknown> = {}) {
  return await createAlertRule(db, {
    id: "high-churn",
    name: "High Churn Risk",
    description: "Investigate the churn model",
    metric: "churn_rate",
    comparison: ">",
    threshold: 0.05,
    severity: "critical",
    channels: ["slack", "pagerduty", "email", "webhook"],
    recipients: ["success-team@example.com"],
    forSeconds: 0,
    groupBy: null,
    enabled: true,
    ...fields,
  }, { actor: "test", now: NOW });
}

Deno.test("a metric crossing its threshold opens one alert and notifies each channel once, then resolves", async () => {
  await withReceivers(async (db, r) => {
    await churnRule(db);
    await seedCustomers(db, 0);
    const quiet = await runAlertTick(r.deps);
    assertEquals(quiet.evaluation.opened, []);
    assertEquals(r.slack.received.length, 0);

    await db.query("update customers set churned_at = $1 where id = 'sup_professional1'", [
      new Date(NOW.getTime() - 86_400_000),
    ]);
    r.clock.advance(MINUTE);
    const first = await runAlertTick(r.deps);
    assertEquals(first.evaluation.opened.length, 1);
    assertEquals(first.delivery, { sent: 4, retrying: 0, failed: 0 });
    const alertId = first.evaluation.opened[0]!;

    // Evaluated again and again: still one alert, nobody hears of it twice.
    for (let i = 0; i < 3; i++) {
      r.clock.advance(MINUTE);
      const again = await runAlertTick(r.deps);
      assertEquals(again.evaluation.opened, []);
    }
    assertEquals(r.slack.received.length, 1);
    assertEquals(r.pagerduty.received.length, 1);
    assertEquals(r.webhook.received.length, 1);
    assertEquals(r.smtp.received.length, 1);
    assertEquals((await listAlerts(db, { status: "open", limit: 10 })).length, 1);

    assertMatch(JSON.parse(r.slack.received[0]!.body).text, /\[CRITICAL\] High Churn Risk/);
    const trigger = JSON.parse(r.pagerduty.received[0]!.body);
    assertEquals(trigger.event_action, "trigger");
    assertEquals(trigger.routing_key, ROUTING_KEY);
    assertEquals(trigger.dedup_key, String(alertId));
    assertEquals(trigger.payload.severity, "critical");
    const hook = r.webhook.received[0]!;
    assertEquals(JSON.parse(hook.body).type, "alert.triggered");
    assertEquals(JSON.parse(hook.body).value, 0.1);
    assert(
      await verifyBodySignature(
        SECRET,
        hook.headers.get("x-cs-timestamp")!,
        hook.body,
        hook.headers.get("x-cs-signature")!,
      ),
      "the webhook is signed with ALERT_WEBHOOK_SECRET",
    );
    const mail = r.smtp.received[0]!;
    assertEquals(mail.to, ["success-team@example.com"]);
    assertMatch(mail.parsed.subject ?? "", /High Churn Risk: churn_rate 0\.1 > 0\.05/);

    // Acknowledged through the API: PagerDuty's incident is acknowledged too.
    await acknowledgeAlert(db, alertId, { actor: "token:2 (on-call)", now: r.clock.now() });
    r.clock.advance(MINUTE);
    await runAlertTick(r.deps);
    assertEquals(r.pagerduty.received.length, 2);
    const ack = JSON.parse(r.pagerduty.received[1]!.body);
    assertEquals([ack.event_action, ack.dedup_key], ["acknowledge", String(alertId)]);
    assertEquals(r.slack.received.length, 1, "only PagerDuty tracks acknowledgements");

    // The customer comes back: the alert resolves, and each channel hears so once.
    await db.query("update customers set churned_at = null");
    r.clock.advance(MINUTE);
    const cleared = await runAlertTick(r.deps);
    assertEquals(cleared.evaluation.resolved, [alertId]);
    r.clock.advance(MINUTE);
    await runAlertTick(r.deps);
    assertEquals(r.slack.received.length, 2);
    assertMatch(JSON.parse(r.slack.received[1]!.body).text, /\[RESOLVED\]/);
    const resolve = JSON.parse(r.pagerduty.received[2]!.body);
    assertEquals([resolve.event_action, resolve.dedup_key], ["resolve", String(alertId)]);
    assertEquals(JSON.parse(r.webhook.received[1]!.body).type, "alert.resolved");
    assertEquals(r.smtp.received.length, 2);
    const alert = await getAlert(db, alertId);
    assertEquals(alert.status, "resolved");
    assertEquals(alert.notifications.map((n) => `${n.kind}:${n.channel}:${n.status}`).sort(), [
      "acknowledge:pagerduty:sent",
      "resolve:email:sent",
      "resolve:pagerduty:sent",
      "resolve:slack:sent",
      "resolve:webhook:sent",
      "trigger:email:sent",
      "trigger:pagerduty:sent",
      "trigger:slack:sent",
      "trigger:webhook:sent",
    ]);
  });
});

Deno.test("a channel that is down gets the notification later, with backoff, and nothing is lost", async () => {
  await withReceivers(async (db, r) => {
    await churnRule(db, { channels: ["slack", "pagerduty"] });
    await seedCustomers(db, 2);
    r.slack.answer(503);
    const first = await runAlertTick(r.deps);
    assertEquals(first.delivery, { sent: 1, retrying: 1, failed: 0 });
    const alertId = first.evaluation.opened[0]!;
    let slack = (await getAlert(db, alertId)).notifications.find((n) => n.channel === "slack")!;
    assertEquals([slack.status, slack.attempts], ["pending", 1]);
    assertMatch(slack.lastError ?? "", /Slack answered 503/);
    assertEquals(slack.nextAttemptAt, new Date(NOW.getTime() + 30_000).toISOString());

    // Before the backoff ends nothing is tried; the evaluation goes on regardless.
    r.clock.advance(10_000);
    assertEquals((await runAlertTick(r.deps)).delivery.retrying, 0);
    assertEquals(r.slack.received.length, 1);
    // Still down: the next wait doubles.
    r.clock.advance(20_000);
    await runAlertTick(r.deps);
    slack = (await getAlert(db, alertId)).notifications.find((n) => n.channel === "slack")!;
    assertEquals(slack.attempts, 2);
    assertEquals(slack.nextAttemptAt, new Date(NOW.getTime() + 90_000).toISOString());

    r.slack.answer(200);
    r.clock.advance(60_000);
    await runAlertTick(r.deps);
    slack = (await getAlert(db, alertId)).notifications.find((n) => n.channel === "slack")!;
    assertEquals([slack.status, slack.attempts], ["sent", 3]);
    assertEquals(r.slack.received.length, 3);
    assertEquals(r.pagerduty.received.length, 1, "the channel that was up got it once");
  });
});

Deno.test("a resolve waits for its trigger on a channel that is down, then follows it", async () => {
  await withReceivers(async (db, r) => {
    await churnRule(db, { channels: ["webhook"] });
    await seedCustomers(db, 2);
    r.webhook.answer(500);
    await runAlertTick(r.deps);
    await db.query("update customers set churned_at = null");
    r.clock.advance(MINUTE);
    await runAlertTick(r.deps);
    r.webhook.answer(200);
    r.clock.advance(10 * MINUTE);
    await runAlertTick(r.deps);
    r.clock.advance(MINUTE);
    await runAlertTick(r.deps);
    const types = r.webhook.received.filter((q) => q.headers.get("x-cs-signature"))
      .map((q) => JSON.parse(q.body).type);
    assertEquals(types.slice(-2), ["alert.triggered", "alert.resolved"]);
  });
});

Deno.test("`forSeconds` holds an alert pending; a silence holds back its notifications until it ends", async () => {
  await withReceivers(async (db, r) => {
    await churnRule(db, { channels: ["slack"], forSeconds: 300 });
    await seedCustomers(db, 3);
    const pending = await runAlertTick(r.deps);
    assertEquals(pending.evaluation.opened, []);
    assertEquals((await listAlerts(db, { limit: 5 }))[0]!.status, "pending");
    await silenceAlertRule(db, "high-churn", {
      until: new Date(NOW.getTime() + 10 * MINUTE),
      reason: "maintenance",
    }, { actor: "test", now: NOW });
    r.clock.advance(5 * MINUTE);
    const opened = await runAlertTick(r.deps);
    assertEquals(opened.evaluation.opened.length, 1);
    assertEquals(r.slack.received.length, 0, "silenced");
    r.clock.advance(5 * MINUTE);
    await runAlertTick(r.deps);
    assertEquals(r.slack.received.length, 1, "notified once the silence ended");
  });
});

Deno.test("grouped rules keep one alert per group; unconfigured channels are recorded as skipped", async () => {
  await withReceivers(async (db, r) => {
    await churnRule(db, { groupBy: "plan", channels: ["slack"] });
    await seedCustomers(db, 0, "starter");
    await seedCustomers(db, 2, "professional");
    const tick = await runAlertTick({ ...r.deps, senders: {} });
    assertEquals(tick.evaluation.opened.length, 1);
    const [alert] = await listAlerts(db, { limit: 5 });
    assertEquals([alert!.group, alert!.value], ["professional", 0.2]);
    assertEquals(alert!.notifications[0]!.status, "skipped");
    assertMatch(alert!.notifications[0]!.lastError ?? "", /SLACK_WEBHOOK_URL is not set/);
  });
});

Deno.test("ml_accuracy and integration_health feed the seed's default rules", async () => {
  await withReceivers(async (db, r) => {
    assertEquals(await installDefaultAlertRules(db, NOW), 3);
    assertEquals(await installDefaultAlertRules(db, NOW), 0, "installed once, then the users'");
    assertEquals((await listAlertRules(db)).map((x) => x.id), [
      "high-churn-risk",
      "integration-failure",
      "ml-model-degradation",
    ]);
    await db.query(
      `insert into churn_models (version, status, file_sha256, onnx, feature_names, card,
         metrics, source, trained_at, registered_at)
       values ('1.0.0', 'active', 'x', '\\x00', '{}', '{}', '{}', 'test', $1, $1)`,
      [NOW],
    );
    await db.query(
      `insert into churn_model_performance (model_version, computed_at, horizon_days,
         predictions, churned, accuracy, calibration)
       values ('1.0.0', $1, 90, 100, 10, 0.7, '[]')`,
      [NOW],
    );
    const tick = await runAlertTick({
      ...r.deps,
      // Through the database, as the event hub's status is: never inside the evaluation's
      // transaction (PGlite has one connection).
      hubStatus: async () =>
        await db.query("select 1").then(() =>
          [
            { plugin: "viral", consecutiveFailures: 0, delivery: "live" },
            { plugin: "marketing", consecutiveFailures: 4, delivery: "live" },
          ] as unknown as Awaited<ReturnType<NonNullable<AlertTickDeps["hubStatus"]>>>
        ),
    });
    const open = await listAlerts(db, { status: "open", limit: 10 });
    assertEquals(open.map((a) => [a.ruleId, a.value]).sort(), [
      ["integration-failure", 0.5],
      ["ml-model-degradation", 0.7],
    ]);
    assertEquals(tick.evaluation.opened.length, 2);
    // Slack for both; email to the ML team.
    assertEquals(r.slack.received.length, 2);
    assertEquals(r.smtp.received.map((m) => m.to).flat(), ["ml-team@wedsync.com"]);
  });
});

Deno.test("two engines evaluating at once open one alert and queue its notifications once", async () => {
  await withReceivers(async (db, r) => {
    await churnRule(db, { channels: ["slack", "webhook"] });
    await seedCustomers(db, 2);
    const configured = new Set(["slack", "webhook"] as const);
    const results = await Promise.all(
      [0, 1, 2].map(() => evaluateAlerts(db, { now: NOW, configured })),
    );
    assertEquals(results.flatMap((x) => x.opened).length, 1);
    const [{ n }] = await db.query<{ n: number }>(
      "select count(*)::int as n from alert_notifications",
    ) as [{ n: number }];
    assertEquals(n, 2);
    // And two delivery passes at once send each notification once.
    await Promise.all([0, 1].map(() => runAlertTick(r.deps)));
    assertEquals([r.slack.received.length, r.webhook.received.length], [1, 1]);
  });
});

Deno.test("a receiver that never answers does not hold up the evaluation", async () => {
  await withReceivers(async (db, r) => {
    await churnRule(db, { channels: ["slack"] });
    await seedCustomers(db, 2);
    r.slack.answer("hang");
    const controller = new AbortController();
    const tick = runAlertTick(r.deps, controller.signal);
    // The alert is open (committed) while the send still waits for Slack.
    await r.slack.waitFor(1);
    assertEquals((await listAlerts(db, { status: "open", limit: 5 })).length, 1);
    controller.abort();
    const { delivery } = await tick;
    assertEquals(delivery.retrying, 1);
    const [alert] = await listAlerts(db, { limit: 5 });
    assertMatch(alert!.notifications[0]!.lastError ?? "", /cancelled/);
  });
});

Deno.test("the alerts health check lists open alerts and undelivered notifications", async () => {
  await withReceivers(async (db, r) => {
    const check = alertsCheck(db);
    const ctx = { now: NOW, signal: new AbortController().signal };
    assertEquals((await check.run(ctx)).status, "healthy");
    await churnRule(db, { channels: ["slack"] });
    await seedCustomers(db, 2);
    r.slack.answer(503);
    await runAlertTick(r.deps);
    const outcome = await check.run(ctx);
    assertEquals(outcome.status, "degraded");
    assertMatch(outcome.message, /1 alert\(s\) open: high-churn \(critical\)/);
    assertMatch(outcome.message, /1 notification\(s\) of open alerts wait for a retry/);
  });
});

Deno.test("scheduleAlerts is off with ALERT_EVALUATION_SCHEDULE=off", () => {
  const deps = {
    db: {} as Db,
    clock: movableClock(),
    log: silentLogger,
    senders: {},
    retryBaseMs: 1_000,
  };
  assertEquals(scheduleAlerts(deps, { schedule: "off", signal: AbortSignal.abort() }), false);
});
