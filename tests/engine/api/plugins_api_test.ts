import { assertEquals } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";
import { requestActor } from "../../../engine/plugins/mod.ts";
import { testPlugin } from "../plugins/test_plugins.ts";

// A plugin with routes that answer who called, and a configuration schema.
const echo = testPlugin("echo", {
  setup: (context) => ({
    routes(app) {
      app.get("/whoami", (c) =>
        c.json({
          actor: requestActor(c.req.raw),
          token: c.req.header("authorization") ?? null,
          greeting: context.config.greeting,
        }));
      app.post("/echo", async (c) => c.json(await c.req.json(), 201));
    },
  }),
}, {
  capabilities: { routes: true },
  config: {
    type: "object",
    properties: { greeting: { type: "string", default: "hello" } },
    additionalProperties: false,
  },
});

Deno.test("GET /api/v1/plugins lists each plugin with its state, manifest and configuration", async () => {
  await withApi(async ({ call }) => {
    const list = await call("GET", "/api/v1/plugins");
    assertEquals(list.status, 200);
    assertEquals(
      list.body.items.map((p: Record<string, unknown>) => [p.name, p.state, p.origin, p.config]),
      [["echo", "running", "first-party", { greeting: "hello" }]],
    );
    assertEquals(list.body.items[0].manifest.capabilities.routes, true);
    const one = await call("GET", "/api/v1/plugins/echo");
    assertEquals([one.status, one.headers.get("etag")], [200, '"echo-v0"']);
    const missing = await call("GET", "/api/v1/plugins/nope");
    assertEquals([missing.status, missing.body.code], [404, "PLUGIN_NOT_FOUND"]);
  }, { plugins: [echo] });
});

Deno.test("PUT /api/v1/plugins/:name reconfigures and disables at once; admins only; audited", async () => {
  await withApi(async ({ call, tokens }) => {
    const manager = await call("PUT", "/api/v1/plugins/echo", { enabled: false }, {
      authorization: `Bearer ${tokens["success-manager"]}`,
    });
    assertEquals(manager.status, 403);

    const configured = await call("PUT", "/api/v1/plugins/echo", {
      config: { greeting: "hej" },
      reason: "Swedish customers",
    }, { "if-match": '"echo-v0"' });
    assertEquals([configured.status, configured.body.config], [200, { greeting: "hej" }]);
    assertEquals(configured.headers.get("etag"), '"echo-v1"');
    const greeted = await call("GET", "/plugins/echo/whoami");
    assertEquals(greeted.body.greeting, "hej");

    const stale = await call("PUT", "/api/v1/plugins/echo", { enabled: false }, {
      "if-match": '"echo-v0"',
    });
    assertEquals([stale.status, stale.body.code], [412, "ETAG_MISMATCH"]);

    const disabled = await call("PUT", "/api/v1/plugins/echo", { enabled: false });
    assertEquals([disabled.status, disabled.body.state], [200, "stopped"]);
    const gone = await call("GET", "/plugins/echo/whoami");
    assertEquals(gone.status, 503);
    assertEquals(gone.body.detail, 'Plugin "echo" is not running: it is disabled');

    const audit = await call("GET", "/api/v1/audit?subjectType=plugin");
    assertEquals(
      audit.body.items.map((e: Record<string, unknown>) => [e.action, e.reason]),
      [["plugin.disabled", null], ["plugin.configured", "Swedish customers"]],
    );
  }, { plugins: [echo] });
});

Deno.test("PUT /api/v1/plugins/:name answers a bad configuration with the field and what is wrong", async () => {
  await withApi(async ({ call }) => {
    const bad = await call("PUT", "/api/v1/plugins/echo", { config: { greeting: 3 } });
    assertEquals([bad.status, bad.body.code], [400, "PLUGIN_CONFIG_INVALID"]);
    assertEquals(bad.body.errors, [{ path: "config.greeting", message: "must be string" }]);
    const empty = await call("PUT", "/api/v1/plugins/echo", { reason: "nothing" });
    assertEquals([empty.status, empty.body.code], [400, "VALIDATION_FAILED"]);
  }, { plugins: [echo] });
});

Deno.test("plugin routes get the caller checked by the engine, never the token", async () => {
  await withApi(async ({ call, tokens }) => {
    const me = await call("GET", "/plugins/echo/whoami", undefined, {
      authorization: `Bearer ${tokens["success-analyst"]}`,
      "x-actor-id": "forged",
    });
    assertEquals(me.status, 200);
    assertEquals(me.body.actor.role, "success-analyst");
    assertEquals(me.body.token, null);
    const posted = await call("POST", "/plugins/echo/echo", { hello: "world" });
    assertEquals([posted.status, posted.body], [201, { hello: "world" }]);
    const anonymous = await call("GET", "/plugins/echo/whoami", undefined, { authorization: "" });
    assertEquals([anonymous.status, anonymous.body.code], [401, "UNAUTHENTICATED"]);
    const viaQuery = await call(
      "GET",
      `/plugins/echo/whoami?access_token=${tokens.admin}`,
      undefined,
      { authorization: "" },
    );
    assertEquals([viaQuery.status, viaQuery.body.actor.role], [200, "admin"]);
    const unknown = await call("GET", "/plugins/nope/x");
    assertEquals(unknown.status, 404);
  }, { plugins: [echo] });
});

Deno.test("the integrations health shows each plugin's state, why one is down, and its own health", async () => {
  const unwell = testPlugin("unwell", {
    setup: () => ({
      health: () => Promise.resolve({ status: "unhealthy", detail: "CRM answers 503" }),
    }),
  }, { capabilities: { health: true } });
  const orphan = testPlugin("orphan", {}, { dependencies: { missing: "^1.0.0" } });
  await withApi(async ({ call }) => {
    const report = await call("GET", "/api/customer-success/health/integrations");
    const states = report.body.checks.find((c: { name: string }) => c.name === "plugin-states");
    assertEquals(states.status, "degraded");
    assertEquals(
      states.message,
      'plugin orphan is not running: Plugin "orphan" needs plugin "missing" ^1.0.0, but it is ' +
        'not installed; install or enable "missing" ^1.0.0, or remove the dependency; ' +
        "plugin unwell is unhealthy: CRM answers 503",
    );
    assertEquals(
      states.details.plugins.map((p: Record<string, unknown>) => [p.name, p.state, p.status]),
      [["echo", "running", "healthy"], ["orphan", "failed", "degraded"], [
        "unwell",
        "running",
        "degraded",
      ]],
    );
  }, { plugins: [echo, unwell, orphan] });
});
