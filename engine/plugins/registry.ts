/**
 * Starting first-party plugins for what needs only their channels (the
 * score command, tests, benchmarks): each reads its settings from the
 * configuration and registers its channels through the same context a
 * sandboxed plugin gets. The engine itself uses PluginHost, which adds the
 * stored enable/disable and configuration, PLUGINS_DIR and the event hub.
 * Registration fails fast on anything that would make delivery ambiguous.
 */
import { type Clock, systemClock } from "../clock.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db/mod.ts";
import { EngineError } from "../errors.ts";
import { deliverToInbox } from "../interventions/mod.ts";
import type { Logger } from "../log.ts";
import { type ChannelRegistry, channelRegistry } from "./channel_registry.ts";
import { startInProcessPlugin } from "./in_process.ts";
import type { EngineAccess } from "./plugin.ts";
import { checkPluginConfig } from "./plugin_config.ts";
import type { RunningPlugin } from "./running.ts";
import type { FirstPartyPlugin } from "./source.ts";

/** What loadChannelPlugins needs. */
export interface LoadChannelPluginsOptions {
  config: Config;
  db: Db;
  log: Logger;
  /** When inbox messages are stored; the system clock when not given. */
  clock?: Clock;
  /** How long one channel's health check may take; 5 s when not given. */
  healthTimeoutMs?: number;
}

/**
 * Starts each plugin in order with its default configuration and collects
 * the channels they register. A plugin whose settings say it is not
 * configured registers nothing. Throws PLUGIN_DUPLICATE, PLUGIN_INVALID (a
 * channel id taken or malformed, a failed setup), PLUGIN_CAPABILITY_UNDECLARED
 * or the plugin's CONFIG_INVALID; the plugins started before are stopped first.
 */
export async function loadChannelPlugins(
  plugins: readonly FirstPartyPlugin[],
  options: LoadChannelPluginsOptions,
): Promise<ChannelRegistry> {
  const running: RunningPlugin[] = [];
  const registry = channelRegistry(() => running.flatMap((p) => p.channels), options);
  try {
    const names = new Set<string>();
    for (const plugin of plugins) {
      if (names.has(plugin.manifest.name)) throw duplicatePlugin(plugin.manifest.name);
      names.add(plugin.manifest.name);
      const started = await startFirstParty(plugin, {
        config: checkPluginConfig(plugin.manifest, {}),
        environment: options.config,
        log: options.log.child({ plugin: plugin.manifest.name }),
        engine: engineAccess(options.db, options.clock ?? systemClock),
      });
      running.push(started);
      checkChannelIds(started, running.slice(0, -1));
    }
  } catch (error) {
    await Promise.all(running.map((p) => p.stop()));
    throw error;
  }
  return registry;
}

/** What a first-party plugin reaches of the engine. */
export function engineAccess(db: Db, clock: Clock): EngineAccess {
  return {
    db,
    inbox: { deliver: (message) => deliverToInbox(db, message, { now: clock.now() }) },
  };
}

/** Starts a first-party plugin in the engine's process. */
export function startFirstParty(
  plugin: FirstPartyPlugin,
  options: {
    config: Readonly<Record<string, unknown>>;
    environment: Readonly<Record<string, unknown>>;
    log: Logger;
    engine: EngineAccess;
  },
): Promise<RunningPlugin> {
  return startInProcessPlugin({
    manifest: plugin.manifest,
    definition: plugin.definition,
    ...options,
  });
}

const CHANNEL_ID = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * Checks the channels `plugin` registered: well-formed ids, none taken by
 * another running plugin. Throws PLUGIN_INVALID naming both.
 */
export function checkChannelIds(plugin: RunningPlugin, others: readonly RunningPlugin[]): void {
  const name = plugin.manifest.name;
  const taken = new Map<string, string>();
  for (const other of others) {
    for (const channel of other.channels) taken.set(channel.id, other.manifest.name);
  }
  for (const channel of plugin.channels) {
    if (typeof channel.id !== "string" || !CHANNEL_ID.test(channel.id)) {
      throw pluginInvalid(
        name,
        "a channel id must be lower-case letters, digits and '-', starting with a letter",
      );
    }
    const owner = taken.get(channel.id);
    if (owner !== undefined) {
      throw pluginInvalid(
        name,
        `channel "${channel.id}" is already registered by plugin "${owner}"; give it another id`,
      );
    }
    taken.set(channel.id, name);
  }
}

/** The error for a second plugin of one name. */
export function duplicatePlugin(name: string, where = ""): EngineError {
  return new EngineError(
    "PLUGIN_DUPLICATE",
    `Cannot register plugin "${name}": a plugin with that name is already loaded${where}; ` +
      'rename one of them (plugin.json "name") or remove it',
  );
}

function pluginInvalid(plugin: string, problem: string): EngineError {
  return new EngineError("PLUGIN_INVALID", `Cannot register plugin "${plugin}": ${problem}`);
}
