import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";
import { backend, useTestKeyring } from "../../helpers/db.ts";
import { verifyAndRegisterKeys } from "../../../engine/privacy/mod.ts";
import { daysAgo, NOW } from "../../helpers/fixtures.ts";

const components = ["engine", "ml", "interventions", "integrations", "privacy"];

// deno-lint-ignore no-explicit-any
function check(report: any, name: string) {
  return report.checks.find((c: { name: string }) => c.name === name);
}

Deno.test("the detailed health endpoints need read:metrics and show every check of their component", async () => {
  await withApi(async (api) => {
    for (const component of components) {
      const path = `/api/customer-success/health/${component}`;
      const anonymous = await api.call("GET", path, undefined, { authorization: "" });
      assertEquals([anonymous.status, anonymous.body.code], [401, "UNAUTHENTICATED"]);
      const analyst = await api.call("GET", path, undefined, {
        authorization: `Bearer ${api.tokens["success-analyst"]}`,
      });
      assertEquals(analyst.status, 200, JSON.stringify(analyst.body));
      assertEquals(analyst.body.component, component);
      assertEquals(analyst.body.checkedAt, NOW.toISOString());
    }

    const engine = (await api.call("GET", "/api/customer-success/health/engine")).body;
    assertEquals([engine.status, engine.reasons], ["healthy", []]);
    const database = check(engine, "database");
    assertEquals(database.details.backend, backend);
    assertEquals(database.details.reachable, true);
    assert(database.details.schemaVersion >= 1);
    assert(typeof database.details.latencyMs === "number");

    const ml = (await api.call("GET", "/api/customer-success/health/ml")).body;
    assertEquals(ml.status, "degraded");
    assertEquals(ml.checks.map((c: { name: string }) => c.name), ["churn-model", "health-scoring"]);
    assertMatch(ml.reasons[0], /^churn-model: No churn model is active: .* deno task ml:train$/);
    assertEquals(check(ml, "churn-model").details.loaded, false);
    const scoring = check(ml, "health-scoring");
    assertEquals(scoring.status, "healthy");
    assertEquals(scoring.details.activeModelVersion, "1.0.0");
    assertEquals(
      scoring.message,
      "Health model 1.0.0 is active; there are no customers to score yet",
    );

    const interventions = (await api.call("GET", "/api/customer-success/health/interventions"))
      .body;
    assertEquals(check(interventions, "cycles").status, "healthy");
    assertEquals(check(interventions, "cycles").details.nextDueAt, "2026-06-15T13:00:00.000Z");
    assertEquals(check(interventions, "outbox").status, "healthy");
    assertEquals(check(interventions, "outbox").message, "Nothing is waiting to be sent");

    const integrations = (await api.call("GET", "/api/customer-success/health/integrations")).body;
    assertEquals(check(integrations, "plugins").status, "degraded");
    assertEquals(check(integrations, "event-log").status, "healthy");

    const privacy = (await api.call("GET", "/api/customer-success/health/privacy")).body;
    assertEquals(check(privacy, "retention").status, "healthy");
    assertEquals(check(privacy, "retention").details.retentionDays, 730);
    assertEquals(check(privacy, "retention").details.lastRun, null);
    const manager = check(privacy, "privacy-manager");
    // Encrypted under the test keys (from the environment, not a local file): nothing to fix.
    assertEquals(manager.status, "healthy");
    assertMatch(
      manager.message,
      /^Personal data is encrypted at rest \(AES-256-GCM\) under the keys /,
    );
    assertEquals(check(privacy, "privacy-requests").status, "healthy");
    assertEquals(manager.details.keySource, "environment");
    assertEquals(Object.keys(manager.details.activeKeys), ["name", "contact", "text", "index"]);
    assertEquals(manager.details.oldKeysNotRetired, []);
  });
});

Deno.test("the interventions health says the scheduled cycle is overdue, and why a cycle failed", async () => {
  await withApi(async (api) => {
    await api.db.query(
      `insert into cycles (trigger, status, as_of, started_at, heartbeat_at, finished_at, error)
       values ('schedule', 'failed', $1, $1, $1, $1, 'Stage health failed: disk full')`,
      [new Date(NOW.getTime() - 3 * 3600_000)],
    );
    const report = (await api.call("GET", "/api/customer-success/health/interventions")).body;
    assertEquals(report.status, "degraded");
    const cycles = check(report, "cycles");
    assertEquals(cycles.details.overdue, true);
    assertEquals(cycles.details.nextDueAt, "2026-06-15T10:00:00.000Z");
    assertEquals(cycles.details.lastCycle.status, "failed");
    assertEquals(cycles.details.lastCycle.ageSeconds, 3 * 3600);
    assertMatch(
      cycles.message,
      /^Cycle \d+ failed: Stage health failed: disk full\. Fix the cause/,
    );
    assertMatch(
      cycles.message,
      /The cycle due at 2026-06-15T10:00:00.000Z \(CYCLE_SCHEDULE "0 \* \* \* \*"\) has not started, 2 h later/,
    );
  });
});

Deno.test("with the unbuilt features turned off and a recent cycle, every component is healthy", async () => {
  await withApi(async (api) => {
    await api.db.query(
      `insert into cycles (trigger, status, as_of, started_at, heartbeat_at, finished_at)
       values ('api', 'succeeded', $1, $1, $1, $1)`,
      [new Date(NOW.getTime() - 10 * 60_000)],
    );
    for (const component of components) {
      const report = (await api.call("GET", `/api/customer-success/health/${component}`)).body;
      assertEquals([component, report.status, report.reasons], [component, "healthy", []]);
    }
    const overall = await api.call("GET", "/api/customer-success/health");
    assertEquals([overall.status, overall.body.status], [200, "healthy"]);
  }, {
    env: {
      ML_CHURN_PREDICTION_ENABLED: "false",
      INTERVENTION_SYSTEM_ENABLED: "false",
      SUCCESS_EVENT_HUB_ENABLED: "false",
      PRIVACY_MANAGER_ENABLED: "false",
      GDPR_COMPLIANCE_MODE: "false",
    },
  });
});

Deno.test("the privacy health lists months of usage events kept past DATA_RETENTION_DAYS", async () => {
  await withApi(async (api) => {
    const old = daysAgo(400);
    await api.db.query("select ensure_usage_events_partition($1::date)", [old]);
    await api.db.query(
      `insert into usage_events (event_id, customer_id, type, occurred_at) values ('old-1', 'sup_x', 'login', $1)`,
      [old],
    );
    const report = (await api.call("GET", "/api/customer-success/health/privacy")).body;
    const retention = check(report, "retention");
    assertEquals(retention.status, "degraded");
    assertEquals(retention.details.expiredMonths, ["2025-05"]);
    assertMatch(
      retention.message,
      /^Usage events older than the 365-day retention window \(DATA_RETENTION_DAYS\) are still stored, in 2025-05/,
    );
  }, { env: { DATA_RETENTION_DAYS: "365" } });
});

Deno.test("the integrations health shows configured endpoints without their secrets", async () => {
  await withApi(async (api) => {
    const report = (await api.call("GET", "/api/customer-success/health/integrations")).body;
    assertEquals(check(report, "plugins").details.endpoints, {
      viral: "https://viral.example.com/api?key=redacted",
      marketing: null,
      dashboard: "wss://ws.example.com/dashboard",
      offline: null,
    });
    assertEquals(JSON.stringify(report).includes("v1ralS3cret"), false);
  }, {
    env: {
      VIRAL_API_ENDPOINT: "https://viral.example.com/api?key=v1ralS3cret",
      DASHBOARD_WS_ENDPOINT: "wss://ws.example.com/dashboard",
    },
  });
});

Deno.test("the privacy health says when the active encryption keys are due for rotation (90 days)", async () => {
  // Each engine starts with keys first used `days` before NOW; the health of its privacy manager.
  // deno-lint-ignore no-explicit-any -- a health report's JSON, read by field
  const managerAfter = async (days: number): Promise<any> => {
    let manager: unknown;
    await withApi(async (api) => {
      // As an engine's start does: the keys in use are registered, with when they were first used.
      await verifyAndRegisterKeys(api.db, await useTestKeyring());
      await api.db.query(
        "update pii_keys set registered_at = $1::timestamptz - $2 * interval '1 day'",
        [NOW, days],
      );
      manager = check(
        (await api.call("GET", "/api/customer-success/health/privacy")).body,
        "privacy-manager",
      );
    });
    return manager;
  };
  const fresh = await managerAfter(89);
  assertEquals(fresh.status, "healthy");
  assertEquals(Object.values(fresh.details.activeKeyAgeDays), [89, 89, 89, 89]);
  const due = await managerAfter(91);
  assertEquals(due.status, "degraded");
  assertMatch(due.message, /are due for rotation \(PII_KEY_ROTATION_DAYS=90\).*keys:rotate/);
});
