import { assertEquals, assertThrows } from "../../helpers/assert.ts";
import { EngineError } from "../../../engine/errors.ts";
import { parseManifest } from "../../../engine/plugins/mod.ts";
import { dashboardSettings, feedEventTypes } from "../../../plugins/dashboard/mod.ts";
import manifest from "../../../plugins/dashboard/plugin.json" with { type: "json" };

Deno.test("dashboard plugin.json subscribes to every type the feed carries and may reach any configured host", () => {
  const parsed = parseManifest(manifest, "plugins/dashboard/plugin.json");
  assertEquals(parsed.capabilities.subscriptions, [...feedEventTypes]);
  assertEquals([parsed.capabilities.routes, parsed.capabilities.health], [true, true]);
  assertEquals(parsed.permissions, { net: ["*"], env: ["DASHBOARD_WS_ENDPOINT"] });
});

Deno.test("dashboardSettings() fills the defaults; no endpoint means no push", () => {
  assertEquals(dashboardSettings({}, {}), {
    pushEndpoint: null,
    heartbeatSeconds: 30,
    maxQueuedMessages: 1000,
    maxQueuedBytes: 4_194_304,
    maxInvalidMessages: 5,
    pushBufferMessages: 1000,
  });
  const pushed = dashboardSettings({ DASHBOARD_WS_ENDPOINT: "wss://ws.example.com/dashboard" }, {});
  assertEquals(pushed.pushEndpoint, "wss://ws.example.com/dashboard");
});

Deno.test("dashboardSettings() refuses an endpoint that is not ws:// or wss://, without repeating it", () => {
  const error = assertThrows(
    () => dashboardSettings({ DASHBOARD_WS_ENDPOINT: "https://ws.example.com/?key=secret" }, {}),
    EngineError,
  );
  assertEquals(error.code, "CONFIG_INVALID");
  assertEquals(error.issues, [{
    path: "DASHBOARD_WS_ENDPOINT",
    message: "must be a ws:// or wss:// URL, e.g. wss://ws.example.com/dashboard",
  }]);
  assertEquals(error.message.includes("secret"), false);
});
