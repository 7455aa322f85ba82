import { assert, assertEquals, assertRejects } from "../../helpers/assert.ts";
import { withTestDb } from "../../helpers/db.ts";
import { NOW } from "../../helpers/fixtures.ts";
import { listAudit } from "../../../engine/audit/mod.ts";
import type { Db } from "../../../engine/db/mod.ts";
import { EngineError } from "../../../engine/errors.ts";
import { silentLogger } from "../../../engine/log.ts";
import {
  type FirstPartyPlugin,
  PluginHost,
  type PluginHostOptions,
} from "../../../engine/plugins/mod.ts";
import { recordingChannel, testPlugin } from "./test_plugins.ts";

const by = { actor: "token:1 (admin)", at: NOW, reason: "testing", requestId: null };

function hostOf(
  db: Db,
  firstPartyPlugins: readonly FirstPartyPlugin[],
  options: Partial<PluginHostOptions> = {},
): PluginHost {
  return new PluginHost({
    db,
    clock: { now: () => NOW },
    log: silentLogger,
    environment: {},
    firstParty: firstPartyPlugins,
    ...options,
  });
}

/** A plugin with a schema, that records each configuration it was started with. */
function configurable(started: Array<Record<string, unknown>>): FirstPartyPlugin {
  return testPlugin("crm", {
    setup(context) {
      started.push({ ...context.config });
      context.registerChannel(recordingChannel("crm"));
    },
  }, {
    capabilities: { channels: ["webhook"] },
    config: {
      type: "object",
      properties: {
        batchSize: { type: "integer", minimum: 1, default: 50 },
        apiKey: { type: "string", writeOnly: true },
      },
      additionalProperties: false,
    },
  });
}

Deno.test("PluginHost starts plugins with their schema's defaults and lists them", async () => {
  await withTestDb(async (db) => {
    const started: Array<Record<string, unknown>> = [];
    const host = hostOf(db, [configurable(started), testPlugin("quiet", {})]);
    await host.start();
    assertEquals(started, [{ batchSize: 50 }]);
    assertEquals(
      host.list().map((p) => [p.name, p.state, p.enabled, p.origin, p.channels, p.config]),
      [
        ["crm", "running", true, "first-party", ["crm"], { batchSize: 50 }],
        ["quiet", "running", true, "first-party", [], {}],
      ],
    );
    assertEquals(host.channels.get("crm")?.id, "crm");
    await host.stop();
  });
});

Deno.test("PluginHost.update() disables, re-enables and reconfigures a plugin at once, audited", async () => {
  await withTestDb(async (db) => {
    const started: Array<Record<string, unknown>> = [];
    const host = hostOf(db, [configurable(started)]);
    await host.start();

    const disabled = await host.update("crm", { enabled: false }, by);
    assertEquals([disabled.state, disabled.enabled, disabled.settingsVersion], [
      "stopped",
      false,
      1,
    ]);
    assertEquals(host.channels.get("crm"), undefined);

    const configured = await host.update(
      "crm",
      { enabled: true, config: { batchSize: 5, apiKey: "s3cret" } },
      { ...by, reason: "smaller batches" },
    );
    assertEquals(configured.state, "running");
    assertEquals(configured.config, { batchSize: 5, apiKey: "[redacted]" });
    assertEquals(started.at(-1), { batchSize: 5, apiKey: "s3cret" });
    assertEquals(host.channels.get("crm")?.id, "crm");

    // Sent back as read: the secret is kept, not replaced by "[redacted]".
    await host.update("crm", { config: { batchSize: 7, apiKey: "[redacted]" } }, by);
    assertEquals(started.at(-1), { batchSize: 7, apiKey: "s3cret" });

    const { entries } = await listAudit(db, { subjectType: "plugin", limit: 10 });
    assertEquals(
      entries.map((e) => [e.action, e.reason, e.after]).reverse(),
      [
        ["plugin.disabled", "testing", { enabled: false, config: {} }],
        ["plugin.enabled", "smaller batches", {
          enabled: true,
          config: { batchSize: 5, apiKey: "[redacted]" },
        }],
        ["plugin.configured", "testing", {
          enabled: true,
          config: { batchSize: 7, apiKey: "[redacted]" },
        }],
      ],
    );
    await host.stop();
  });
});

Deno.test("PluginHost.update() refuses a configuration its schema rejects, naming the field", async () => {
  await withTestDb(async (db) => {
    const host = hostOf(db, [configurable([])]);
    await host.start();
    const error = await assertRejects(
      () => host.update("crm", { config: { batchSize: 0, colour: "red" } }, by),
      EngineError,
    );
    assertEquals(error.code, "PLUGIN_CONFIG_INVALID");
    assertEquals(error.issues, [
      { path: "config.colour", message: "is not a setting of this plugin" },
      { path: "config.batchSize", message: "must be >= 1" },
    ]);
    assertEquals(host.status("crm").settingsVersion, 0);
    const missing = await assertRejects(() => host.update("nope", {}, by), EngineError);
    assertEquals(missing.code, "PLUGIN_NOT_FOUND");
    await host.stop();
  });
});

Deno.test("PluginHost.update() refuses a stale version instead of overwriting another admin's change", async () => {
  await withTestDb(async (db) => {
    const host = hostOf(db, [configurable([])]);
    await host.start();
    await host.update("crm", { config: { batchSize: 9 } }, by, 0);
    const error = await assertRejects(
      () => host.update("crm", { config: { batchSize: 3 } }, by, 0),
      EngineError,
    );
    assertEquals(error.code, "ETAG_MISMATCH");
    assertEquals(host.status("crm").config, { batchSize: 9 });
    await host.stop();
  });
});

Deno.test("PluginHost checks dependencies and engine versions, and starts a dependent when its dependency returns", async () => {
  await withTestDb(async (db) => {
    const host = hostOf(db, [
      testPlugin("reports", {}, { dependencies: { base: "^2.0.0" } }),
      testPlugin("base", {}, { version: "2.1.0" }),
      testPlugin("future", {}, { engine: ">=3.0.0" }),
      testPlugin("orphan", {}, { dependencies: { missing: "^1.0.0" } }),
    ], { failFast: false });
    await host.start();
    const states = () =>
      Object.fromEntries(host.list().map((p) => [p.name, [p.state, p.error?.code ?? null]]));
    assertEquals(states(), {
      base: ["running", null],
      future: ["failed", "PLUGIN_ENGINE_UNSUPPORTED"],
      orphan: ["failed", "PLUGIN_DEPENDENCY_UNMET"],
      reports: ["running", null],
    });
    assertEquals(
      host.status("orphan").error?.message,
      'Plugin "orphan" needs plugin "missing" ^1.0.0, but it is not installed; install or ' +
        'enable "missing" ^1.0.0, or remove the dependency',
    );
    assertEquals(
      host.status("future").error?.message,
      'Plugin "future" 1.0.0 works with engine >=3.0.0, not 1.0.0; use a version of the plugin ' +
        "made for this engine",
    );

    const inUse = await assertRejects(
      () => host.update("base", { enabled: false }, by),
      EngineError,
    );
    assertEquals(inUse.code, "PLUGIN_IN_USE");
    assertEquals(
      inUse.message,
      'Plugin "base" cannot be disabled: reports needs it; disable that plugin first',
    );
    await host.update("reports", { enabled: false }, by);
    await host.update("base", { enabled: false }, by);
    await host.update("reports", { enabled: true }, by);
    assertEquals(states().reports, ["failed", "PLUGIN_DEPENDENCY_UNMET"]);
    await host.update("base", { enabled: true }, by);
    assertEquals(states().reports, ["running", null]);
    await host.stop();
  });
});

Deno.test("PluginHost stops the engine's start when a first-party plugin cannot start", async () => {
  await withTestDb(async (db) => {
    let stopped = false;
    const host = hostOf(db, [
      testPlugin("first", {
        setup: () => ({ stop: () => Promise.resolve(void (stopped = true)) }),
      }),
      testPlugin("broken", { setup: () => Promise.reject(new Error("cannot open socket")) }),
    ]);
    const error = await assertRejects(() => host.start(), EngineError);
    assertEquals(error.code, "PLUGIN_INVALID");
    assertEquals(
      error.message,
      'Cannot register plugin "broken": its setup failed: cannot open socket',
    );
    assert(stopped, "the plugin started before is stopped");
  });
});

Deno.test("PluginHost.refresh() applies what another engine changed", async () => {
  await withTestDb(async (db) => {
    const plugins = [configurable([])];
    const here = hostOf(db, plugins);
    const there = hostOf(db, plugins);
    await here.start();
    await there.start();
    await there.update("crm", { enabled: false }, by);
    assertEquals(here.status("crm").state, "running");
    await here.refresh();
    assertEquals([here.status("crm").state, here.status("crm").settingsVersion], ["stopped", 1]);
    await here.stop();
    await there.stop();
  });
});

Deno.test("PluginHost reports PLUGINS_DIR folders that are not valid plugins, and keeps running", async () => {
  await withTestDb(async (db) => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.mkdir(`${dir}/empty`);
      await Deno.mkdir(`${dir}/typo`);
      await Deno.writeTextFile(
        `${dir}/typo/plugin.json`,
        JSON.stringify({
          name: "typo",
          version: "1.0.0",
          description: "x",
          engine: "^1.0.0",
          capabilities: { subscription: ["health.changed"] },
        }),
      );
      await Deno.writeTextFile(`${dir}/typo/mod.ts`, "export default {};");
      const host = hostOf(db, [testPlugin("quiet", {})], { directory: dir });
      await host.start();
      const listed = Object.fromEntries(host.list().map((p) => [p.name, [p.state, p.error]]));
      assertEquals(listed.quiet, ["running", null]);
      assertEquals(listed.empty, ["failed", {
        code: "PLUGIN_INVALID",
        message: "Cannot register the plugin in empty has no plugin.json; a plugin folder holds " +
          "plugin.json and mod.ts",
      }]);
      assertEquals(listed.typo?.[1], {
        code: "PLUGIN_INVALID",
        message:
          'typo/plugin.json is not a valid plugin manifest: capabilities: Unrecognized key: "subscription"',
      });
      await host.stop();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});
