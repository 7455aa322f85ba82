import { assertEquals, assertThrows } from "../../helpers/assert.ts";
import { EngineError } from "../../../engine/errors.ts";
import { parseManifest } from "../../../engine/plugins/mod.ts";

function manifest(capabilities: Record<string, unknown>): Record<string, unknown> {
  return {
    name: "wallboard",
    version: "1.0.0",
    description: "A live wallboard",
    engine: "^1.0.0",
    capabilities,
  };
}

Deno.test("parseManifest() - capabilities.delivery is durable unless the plugin says every-engine", () => {
  const durable = parseManifest(manifest({ subscriptions: ["health.changed"] }), "a/plugin.json");
  assertEquals(durable.capabilities.delivery, "durable");
  const live = parseManifest(
    manifest({ subscriptions: ["health.changed"], delivery: "every-engine" }),
    "b/plugin.json",
  );
  assertEquals(live.capabilities.delivery, "every-engine");
  const explicit = parseManifest(
    manifest({ subscriptions: ["health.changed"], delivery: "durable" }),
    "c/plugin.json",
  );
  assertEquals(explicit.capabilities.delivery, "durable");
});

Deno.test("parseManifest() - refuses a delivery that is not a mode, naming both modes", () => {
  const error = assertThrows(
    () =>
      parseManifest(
        manifest({ subscriptions: ["health.changed"], delivery: "broadcast" }),
        "wallboard/plugin.json",
      ),
    EngineError,
  );
  assertEquals(error.code, "PLUGIN_INVALID");
  assertEquals(
    error.message,
    'wallboard/plugin.json is not a valid plugin manifest: capabilities.delivery: must be "durable" ' +
      '(each event once, in one engine, retried, replayable) or "every-engine" (live, in every ' +
      "engine, nothing kept)",
  );
});

Deno.test("parseManifest() - refuses delivery outside capabilities, as any unknown key", () => {
  const error = assertThrows(
    () =>
      parseManifest(
        { ...manifest({ subscriptions: ["health.changed"] }), delivery: "every-engine" },
        "wallboard/plugin.json",
      ),
    EngineError,
  );
  assertEquals(
    error.message,
    'wallboard/plugin.json is not a valid plugin manifest: (root): Unrecognized key: "delivery"',
  );
});

Deno.test("parseManifest() - refuses every-engine delivery without subscriptions", () => {
  const error = assertThrows(
    () => parseManifest(manifest({ delivery: "every-engine" }), "wallboard/plugin.json"),
    EngineError,
  );
  assertEquals(error.code, "PLUGIN_INVALID");
  assertEquals(
    error.message,
    'wallboard/plugin.json asks for "every-engine" delivery but subscribes to no events; list ' +
      "them in capabilities.subscriptions, or remove capabilities.delivery",
  );
  assertEquals(error.issues, [{
    path: "capabilities.delivery",
    message: "needs capabilities.subscriptions: it says how those events are delivered",
  }]);
});
