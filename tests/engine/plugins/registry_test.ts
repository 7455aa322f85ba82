import { assertEquals, assertRejects } from "../../helpers/assert.ts";
import { loadConfig } from "../../../engine/config.ts";
import type { Db } from "../../../engine/db/mod.ts";
import { EngineError } from "../../../engine/errors.ts";
import { testPlugin } from "./test_plugins.ts";
import { createLogger, silentLogger } from "../../../engine/log.ts";
import {
  type Channel,
  type ChannelKind,
  channelKinds,
  type FirstPartyPlugin,
  loadChannelPlugins,
  type PluginDefinition,
} from "../../../engine/plugins/mod.ts";

// The registry only hands the database to plugins, and these fakes never use it.
const db = {} as Db;
const config = loadConfig({});

function fakeChannel(id: string, kind: ChannelKind, fields: Partial<Channel> = {}): Channel {
  return {
    id,
    kind,
    send: () => Promise.resolve({ status: "sent", providerMessageId: null }),
    ...fields,
  };
}

// A plugin that may register a channel of every kind, with `definition` as its module.
function plugin<S>(
  name: string,
  definition: PluginDefinition<S>,
  manifest: Record<string, unknown> = {},
): FirstPartyPlugin {
  return testPlugin(name, definition, { capabilities: { channels: channelKinds }, ...manifest });
}

function pluginWith(name: string, ...channels: Channel[]): FirstPartyPlugin {
  return plugin(name, {
    setup(context) {
      for (const channel of channels) context.registerChannel(channel);
    },
  });
}

Deno.test("loadChannelPlugins() collects channels in order and finds them by id or kind", async () => {
  const registry = await loadChannelPlugins([
    pluginWith("mail", fakeChannel("email", "email"), fakeChannel("email-eu", "email")),
    pluginWith("chat", fakeChannel("team-chat", "slack")),
  ], { config, db, log: silentLogger });
  assertEquals(registry.list().map((c) => c.id), ["email", "email-eu", "team-chat"]);
  assertEquals(registry.get("email-eu")?.id, "email-eu");
  assertEquals(registry.get("email")?.id, "email");
  assertEquals(registry.get("slack")?.id, "team-chat");
  assertEquals(registry.get("webhook"), undefined);
});

Deno.test("loadChannelPlugins() fails fast on a second channel with one id, closing the first", async () => {
  let closed = 0;
  const close = () => {
    closed++;
    return Promise.resolve();
  };
  const error = await assertRejects(
    () =>
      loadChannelPlugins([
        pluginWith("first", fakeChannel("in-app", "in-app", { close })),
        pluginWith("second", fakeChannel("in-app", "in-app")),
      ], { config, db, log: silentLogger }),
    EngineError,
  );
  assertEquals(error.code, "PLUGIN_INVALID");
  assertEquals(
    error.message,
    'Cannot register plugin "second": channel "in-app" is already registered by plugin "first"; ' +
      "give it another id",
  );
  assertEquals(closed, 1);
});

Deno.test("loadChannelPlugins() refuses duplicate plugins and channels their manifest does not declare", async () => {
  const twice = await assertRejects(
    () =>
      loadChannelPlugins([pluginWith("twice"), pluginWith("twice")], {
        config,
        db,
        log: silentLogger,
      }),
    EngineError,
  );
  assertEquals(twice.code, "PLUGIN_DUPLICATE");
  assertEquals(
    twice.message,
    'Cannot register plugin "twice": a plugin with that name is already loaded; rename one of ' +
      'them (plugin.json "name") or remove it',
  );
  const sneaky = plugin("sneaky", {
    setup(context) {
      context.registerChannel(fakeChannel("chat", "slack"));
    },
  }, { capabilities: { channels: ["email"] } });
  const undeclared = await assertRejects(
    () => loadChannelPlugins([sneaky], { config, db, log: silentLogger }),
    EngineError,
  );
  assertEquals(undeclared.code, "PLUGIN_CAPABILITY_UNDECLARED");
  assertEquals(
    undeclared.message,
    'Plugin "sneaky": it registers a slack channel, which its plugin.json does not declare; ' +
      'add "slack" to capabilities.channels',
  );
  const odd = await assertRejects(
    () =>
      loadChannelPlugins([pluginWith("odd", fakeChannel("Pigeon", "email"))], {
        config,
        db,
        log: silentLogger,
      }),
    EngineError,
  );
  assertEquals(odd.code, "PLUGIN_INVALID");
  assertEquals(odd.message.includes("a channel id must be lower-case letters"), true, odd.message);
});

Deno.test("loadChannelPlugins() passes a plugin's CONFIG_INVALID through and wraps other setup failures", async () => {
  const misconfigured = plugin("strict", {
    settings: () => {
      throw new EngineError(
        "CONFIG_INVALID",
        "Invalid configuration for the strict plugin: X: bad",
      );
    },
    setup: () => {},
  });
  const config_ = await assertRejects(
    () => loadChannelPlugins([misconfigured], { config, db, log: silentLogger }),
    EngineError,
  );
  assertEquals(config_.code, "CONFIG_INVALID");

  const broken = plugin("broken", {
    setup: () => Promise.reject(new Error("cannot open socket")),
  });
  const setup = await assertRejects(
    () => loadChannelPlugins([broken], { config, db, log: silentLogger }),
    EngineError,
  );
  assertEquals(
    [setup.code, setup.message],
    ["PLUGIN_INVALID", 'Cannot register plugin "broken": its setup failed: cannot open socket'],
  );
});

Deno.test("ChannelRegistry.checkHealth() reports every channel and never throws", async () => {
  const registry = await loadChannelPlugins([
    pluginWith(
      "mixed",
      fakeChannel("plain", "webhook"),
      fakeChannel("good", "email", {
        checkHealth: () => Promise.resolve({ status: "healthy", detail: "connected" }),
      }),
      fakeChannel("throws", "slack", { checkHealth: () => Promise.reject(new Error("boom")) }),
      fakeChannel("hangs", "in-app", { checkHealth: () => new Promise(() => {}) }),
    ),
  ], { config, db, log: silentLogger, healthTimeoutMs: 50 });
  assertEquals(await registry.checkHealth(), [
    { id: "plain", kind: "webhook", status: "healthy", detail: "no health check of its own" },
    { id: "good", kind: "email", status: "healthy", detail: "connected" },
    { id: "throws", kind: "slack", status: "unhealthy", detail: "the health check failed: boom" },
    { id: "hangs", kind: "in-app", status: "unhealthy", detail: "no answer within 50 ms" },
  ]);
});

Deno.test("ChannelRegistry.closeAll() closes every channel and logs a failure", async () => {
  const closed: string[] = [];
  const lines: string[] = [];
  const registry = await loadChannelPlugins([
    pluginWith(
      "two",
      fakeChannel("a", "email", { close: () => Promise.reject(new Error("pool stuck")) }),
      fakeChannel("b", "slack", {
        close: () => {
          closed.push("b");
          return Promise.resolve();
        },
      }),
    ),
  ], { config, db, log: createLogger({ level: "warn", write: (line) => lines.push(line) }) });
  await registry.closeAll();
  assertEquals(closed, ["b"]);
  assertEquals(lines.map((l) => JSON.parse(l).message), ["closing a channel failed"]);
  assertEquals(JSON.parse(lines[0]!).channel, "a");
});

Deno.test("PluginContext.registerChannel() is refused once setup has finished", async () => {
  let later: (() => void) | undefined;
  const sneaky = plugin("sneaky", {
    setup(context) {
      later = () => context.registerChannel(fakeChannel("late", "email"));
    },
  });
  const registry = await loadChannelPlugins([sneaky], { config, db, log: silentLogger });
  let error: unknown;
  try {
    later!();
  } catch (thrown) {
    error = thrown;
  }
  assertEquals((error as EngineError).code, "PLUGIN_INVALID");
  assertEquals(registry.list(), []);
});
