import { assertEquals, assertMatch, assertRejects } from "../../../helpers/assert.ts";
import { EngineError } from "../../../../engine/errors.ts";
import { startSandboxedPlugin } from "../../../../engine/plugins/mod.ts";
import { silentLogger } from "../../../../engine/log.ts";
import { fixtureFolder, fixtureManifest, startFixture } from "./helpers.ts";

Deno.test("a plugin whose mod.ts fails to import does not start, and the error names it and the file", async () => {
  const error = await assertRejects(() => startFixture("broken-import"), EngineError);
  assertEquals(error.code, "PLUGIN_IMPORT_FAILED");
  const folder = `file://${fixtureFolder("broken-import")}`;
  assertEquals(
    error.message,
    `Cannot start plugin "broken-import": its mod.ts failed to import: ` +
      `Module not found "${folder}/helpers.ts" (at ${folder}/mod.ts:4:24)`,
  );
});

Deno.test("a plugin that handles an event its plugin.json does not subscribe to does not start", async () => {
  const error = await assertRejects(() => startFixture("undeclared-hooks"), EngineError);
  assertEquals(error.code, "PLUGIN_CAPABILITY_UNDECLARED");
  assertEquals(
    error.message,
    'Plugin "undeclared-hooks": it handles "health.changed", which its plugin.json does not declare; ' +
      'add "health.changed" to capabilities.subscriptions',
  );
});

Deno.test("a plugin with routes its plugin.json does not declare does not start", async () => {
  const error = await assertRejects(
    () =>
      startFixture("probe", {
        edit: (m) => ({ ...m, capabilities: { ...m.capabilities, routes: false } }),
      }),
    EngineError,
  );
  assertEquals(error.code, "PLUGIN_CAPABILITY_UNDECLARED");
  assertEquals(
    error.message,
    'Plugin "probe": it has routes, which its plugin.json does not declare; add "routes": true to capabilities',
  );
});

Deno.test("a plugin registering a channel kind its plugin.json does not declare does not start", async () => {
  const error = await assertRejects(
    () =>
      startFixture("courier", {
        edit: (m) => ({ ...m, capabilities: { ...m.capabilities, channels: ["slack"] } }),
      }),
    EngineError,
  );
  assertEquals(error.code, "PLUGIN_CAPABILITY_UNDECLARED");
  assertEquals(
    error.message,
    'Plugin "courier": it registers a webhook channel, which its plugin.json does not declare; ' +
      'add "webhook" to capabilities.channels',
  );
});

Deno.test("a plugin folder without mod.ts does not start, and the error says what a folder holds", async () => {
  const manifest = await fixtureManifest("steady");
  const empty = await Deno.makeTempDir({ prefix: "sandbox-empty-" });
  try {
    const error = await assertRejects(
      () => startSandboxedPlugin({ directory: empty, manifest, config: {}, log: silentLogger }),
      EngineError,
    );
    assertEquals(error.code, "PLUGIN_IMPORT_FAILED");
    assertMatch(
      error.message,
      /^Cannot start plugin "steady": its folder .* has no readable mod\.ts/,
    );
    assertMatch(error.message, /a plugin folder holds plugin\.json and mod\.ts$/);
  } finally {
    await Deno.remove(empty, { recursive: true });
  }
});

Deno.test("a plugin whose setup outlasts its start timeout does not start", async () => {
  const error = await assertRejects(
    () => startFixture("probe", { startTimeoutMs: 1 }),
    EngineError,
  );
  assertEquals(error.code, "PLUGIN_UNAVAILABLE");
  assertEquals(error.message, 'Cannot start plugin "probe": its setup did not finish within 1 ms');
});
