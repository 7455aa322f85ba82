// First: the API extends zod with OpenAPI, which the schemas made after it need.
import { withHubApi } from "./api_helpers.ts";
import { assertEquals, assertMatch } from "../../../helpers/assert.ts";
import { NOW } from "../../../helpers/fixtures.ts";
import { DeliveryError } from "../../../../engine/plugins/mod.ts";
import {
  append,
  durableStatus,
  livePlugin,
  liveStarted,
  liveStatus,
  recordingPlugin,
  until,
  whileRunning,
} from "./helpers.ts";

const PATH = "/api/customer-success/health/integrations";

// deno-lint-ignore no-explicit-any
function check(report: any, name: string) {
  return report.checks.find((c: { name: string }) => c.name === name);
}

Deno.test("the integrations health reports each plugin: breaker, lag and dead letters", async () => {
  const viral = recordingPlugin("viral", ["customer.updated"], () => {
    throw new Error("viral API answered 503");
  });
  const offline = recordingPlugin("offline", ["customer.updated"]);
  const dashboard = recordingPlugin("dashboard", ["health.changed"], () => {
    throw new DeliveryError("the dashboard rejects this payload", { retriable: false });
  });
  await withHubApi([viral, offline, dashboard], async ({ db, hub, call }) => {
    const tenMinutesAgo = new Date(NOW.getTime() - 10 * 60_000);
    await db.query(
      `insert into event_log (type, customer_id, payload, occurred_at, recorded_at)
       values ('customer.updated', 'sup_1', '{}', $1, $1), ('customer.updated', 'sup_2', '{}', $1, $1)`,
      [tenMinutesAgo],
    );
    await append(db, [{ type: "health.changed" }]);
    await whileRunning(hub!, async () => {
      await until("viral's breaker opened, offline is done, dashboard dead-lettered", async () => {
        return (await durableStatus(hub!, "viral")).breaker === "open" &&
          offline.received.length === 2 &&
          (await durableStatus(hub!, "dashboard")).deadLetters === 1;
      });
    });

    const report = await call("GET", PATH);
    assertEquals([report.status, report.body.status], [200, "degraded"]);
    const plugins = check(report.body, "plugins");
    assertEquals(plugins.status, "degraded");
    const byName = Object.fromEntries(
      plugins.details.plugins.map((p: { plugin: string }) => [p.plugin, p]),
    );
    assertEquals(
      [byName.viral.status, byName.offline.status, byName.dashboard.status],
      ["degraded", "healthy", "degraded"],
    );
    assertEquals([byName.viral.breaker, byName.viral.waiting, byName.viral.lagSeconds], [
      "open",
      2,
      600,
    ]);
    assertEquals([byName.offline.waiting, byName.offline.delivered], [0, 2]);
    assertEquals(byName.dashboard.deadLetters, 1);
    // One sentence per problem, plugins in name order.
    assertMatch(
      plugins.message,
      /^dashboard: 1 event\(s\) failed for good \(the newest 0 s ago\); see GET \/api\/v1\/plugins\/dashboard\/dead-letters, fix the plugin, then deliver them again with POST \/api\/v1\/plugins\/dashboard\/dead-letters\/replay; /,
    );
    assertMatch(
      plugins.message,
      /; viral: its circuit breaker is open after 2 failures in a row \(last: viral API answered 503\); its events wait in the log and a probe is sent every 60 s/,
    );
    assertMatch(
      plugins.message,
      /; viral: 2 event\(s\) waiting, the oldest for 10 min \(more than EVENT_HUB_LAG_ALERT_SECONDS=300\); no engine delivers to it: is the event hub running\?$/,
    );
    const metrics = await call("GET", "/metrics", { text: true });
    assertMatch(metrics.body, /^cs_plugin_lag_seconds\{plugin="viral"\} 600$/m);
    assertMatch(metrics.body, /^cs_plugin_lag_seconds\{plugin="offline"\} 0$/m);
    const eventLog = check(report.body, "event-log");
    assertEquals(eventLog.details.consumers, ["viral", "offline", "dashboard"]);
    assertMatch(eventLog.message, /3 plugin\(s\) read it \(viral, offline, dashboard\)$/);
  }, { hub: { settings: { breakerFailures: 2, breakerCooldownMs: 60_000, maxAttempts: 5 } } });
});

Deno.test("the integrations health is healthy while every plugin keeps up", async () => {
  const offline = recordingPlugin("offline", ["customer.updated"]);
  await withHubApi([offline], async ({ db, hub, call }) => {
    await whileRunning(hub!, async () => {
      await append(db, [{}, {}]);
      await until("delivered", () => offline.received.length === 2);
    });
    const report = await call("GET", PATH);
    assertEquals(report.body.status, "healthy");
    assertEquals(
      check(report.body, "plugins").message,
      "1 plugin(s) receive events: offline (up to date)",
    );
  });
});

Deno.test("the integrations health shows an every-engine plugin by its delivery and this engine's view", async () => {
  const dashboard = livePlugin("dashboard", ["customer.updated"], (event) => {
    if (event.payload.poison) throw new Error("cannot render this event");
  });
  const offline = recordingPlugin("offline", ["customer.updated"]);
  await withHubApi([dashboard, offline], async ({ db, hub, call }) => {
    await whileRunning(hub!, async () => {
      await until("it follows the log", () => liveStarted(hub!));
      await append(db, [{ payload: { poison: true } }]);
      await until("the event failed", async () => (await liveStatus(hub!)).failed === 1);
      await until("offline has it", () => offline.received.length === 1);

      const failing = await call("GET", PATH);
      const plugins = check(failing.body, "plugins");
      assertEquals(plugins.status, "degraded");
      assertEquals(
        plugins.message,
        "dashboard: its last 1 event(s) failed and were skipped (last: cannot render this " +
          "event); 1 skipped in this engine so far: live delivery does not retry, see the " +
          "engine's log",
      );
      const [live, durable] = plugins.details.plugins;
      assertEquals([live.plugin, live.delivery, live.engine, live.status], [
        "dashboard",
        "every-engine",
        "engine-a",
        "degraded",
      ]);
      assertEquals([live.holder, live.breaker, live.deadLetters], [
        undefined,
        undefined,
        undefined,
      ]);
      assertEquals([durable.plugin, durable.delivery, durable.holder], [
        "offline",
        "durable",
        "engine-a",
      ]);
      // No replay for a live plugin: it keeps no cursor.
      const replay = await call("POST", "/api/v1/plugins/dashboard/replay?from=1");
      assertEquals([replay.status, replay.body.code], [404, "PLUGIN_NOT_FOUND"]);
    });
  }, { hub: { engineId: "engine-a" } });
});

Deno.test("the integrations health is healthy while an every-engine plugin keeps up here", async () => {
  const dashboard = livePlugin("dashboard", ["customer.updated"]);
  const offline = recordingPlugin("offline", ["customer.updated"]);
  await withHubApi([dashboard, offline], async ({ db, hub, call }) => {
    await whileRunning(hub!, async () => {
      await until("it follows the log", () => liveStarted(hub!));
      await append(db, [{}]);
      await until(
        "both have it",
        async () => (await liveStatus(hub!)).delivered === 1 && offline.received.length === 1,
      );
    });
    const report = await call("GET", PATH);
    assertEquals(report.body.status, "healthy");
    assertEquals(
      check(report.body, "plugins").message,
      "2 plugin(s) receive events: dashboard (live in every engine, up to date here), " +
        "offline (up to date)",
    );
  });
});

Deno.test("the integrations health says when this engine runs no event hub", async () => {
  await withHubApi(null, async ({ call }) => {
    const report = await call("GET", PATH);
    const plugins = check(report.body, "plugins");
    assertEquals(plugins.status, "degraded");
    assertMatch(plugins.message, /^The event hub does not run in this engine/);
    assertMatch(
      check(report.body, "event-log").message,
      /the event hub does not run in this engine$/,
    );
  });
});
