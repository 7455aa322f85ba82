/**
 * Loading channel plugins: each plugin reads its settings from the
 * configuration and registers its channels through the same PluginContext a
 * third-party plugin gets. Registration fails fast, with PLUGIN_INVALID,
 * on anything that would make delivery ambiguous (two channels with one id).
 */
import { type Clock, systemClock } from "../clock.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db/mod.ts";
import { EngineError, isEngineError } from "../errors.ts";
import { deliverToInbox } from "../interventions/mod.ts";
import type { Logger } from "../log.ts";
import { type Channel, type ChannelHealth, type ChannelKind, channelKinds } from "./channel.ts";
import type { EnginePlugin, PluginContext } from "./plugin.ts";

/** One channel's health, as the registry reports it. */
export interface ChannelHealthReport extends ChannelHealth {
  id: string;
  kind: ChannelKind;
}

/** The channels the loaded plugins registered. */
export interface ChannelRegistry {
  /**
   * The channel with this id, else the first registered channel of this
   * kind (first-party channels' ids are their kinds: `get("email")`).
   */
  get(kind: string): Channel | undefined;
  /** Every registered channel, in registration order. */
  list(): readonly Channel[];
  /** Every channel's health; a check that throws or hangs is reported as unhealthy. */
  checkHealth(): Promise<ChannelHealthReport[]>;
  /** Closes every channel (SMTP pools, …); failures are logged, not thrown. */
  closeAll(): Promise<void>;
}

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

const NAME = /^[a-z][a-z0-9-]{0,62}$/;
const VERSION = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/**
 * Runs each plugin's `settings` and `setup` in order and collects the
 * channels they register. A plugin whose settings say it is not configured
 * registers nothing. Throws PLUGIN_INVALID (a bad name or version, a
 * duplicate plugin or channel id) or the plugin's CONFIG_INVALID; the
 * channels registered before the failure are closed first.
 */
export async function loadChannelPlugins(
  // Each plugin's setup gets exactly what its own settings() returned.
  plugins: readonly EnginePlugin[],
  options: LoadChannelPluginsOptions,
): Promise<ChannelRegistry> {
  const clock = options.clock ?? systemClock;
  const channels: Channel[] = [];
  const owners = new Map<string, string>();
  const registry = channelRegistry(channels, options);
  try {
    const names = new Set<string>();
    for (const plugin of plugins) {
      checkPlugin(plugin, names);
      const log = options.log.child({ plugin: plugin.name });
      let open = true;
      const context: PluginContext = {
        log,
        db: options.db,
        inbox: { deliver: (message) => deliverToInbox(options.db, message, { now: clock.now() }) },
        registerChannel(channel) {
          if (!open) {
            throw pluginInvalid(plugin.name, "channels can only be registered during setup");
          }
          checkChannel(plugin.name, channel, owners);
          owners.set(channel.id, plugin.name);
          channels.push(channel);
          log.info("channel registered", { channel: channel.id, kind: channel.kind });
        },
      };
      try {
        await plugin.setup(context, plugin.settings(options.config));
      } catch (error) {
        if (isEngineError(error)) throw error;
        throw pluginInvalid(plugin.name, `its setup failed: ${messageOf(error)}`, error);
      } finally {
        open = false;
      }
    }
  } catch (error) {
    await registry.closeAll();
    throw error;
  }
  return registry;
}

function checkPlugin(plugin: EnginePlugin, names: Set<string>): void {
  const name = typeof plugin.name === "string" ? plugin.name : String(plugin.name);
  if (!NAME.test(name)) {
    throw pluginInvalid(
      name,
      "its name must be lower-case letters, digits and '-', starting with a letter",
    );
  }
  if (typeof plugin.version !== "string" || !VERSION.test(plugin.version)) {
    throw pluginInvalid(name, "its version must look like 1.0.0");
  }
  if (names.has(name)) throw pluginInvalid(name, "a plugin with that name is already loaded");
  names.add(name);
}

function checkChannel(plugin: string, channel: Channel, owners: Map<string, string>): void {
  if (typeof channel.id !== "string" || !NAME.test(channel.id)) {
    throw pluginInvalid(
      plugin,
      "a channel id must be lower-case letters, digits and '-', starting with a letter",
    );
  }
  if (!(channelKinds as readonly string[]).includes(channel.kind)) {
    throw pluginInvalid(
      plugin,
      `channel "${channel.id}" has the unknown kind "${String(channel.kind)}"; ` +
        `use one of ${channelKinds.join(", ")}`,
    );
  }
  const owner = owners.get(channel.id);
  if (owner !== undefined) {
    throw pluginInvalid(
      plugin,
      `channel "${channel.id}" is already registered by plugin "${owner}"; give it another id`,
    );
  }
}

function channelRegistry(
  channels: readonly Channel[],
  options: LoadChannelPluginsOptions,
): ChannelRegistry {
  const timeoutMs = options.healthTimeoutMs ?? 5_000;
  return {
    get: (kind) => channels.find((c) => c.id === kind) ?? channels.find((c) => c.kind === kind),
    list: () => [...channels],
    checkHealth: () =>
      Promise.all(channels.map(async (channel) => ({
        id: channel.id,
        kind: channel.kind,
        ...await healthOf(channel, timeoutMs),
      }))),
    async closeAll() {
      for (const channel of channels) {
        try {
          await channel.close?.();
        } catch (error) {
          options.log.warn("closing a channel failed", { channel: channel.id, error });
        }
      }
    },
  };
}

/** A channel's health, never throwing and never taking longer than `timeoutMs`. */
async function healthOf(channel: Channel, timeoutMs: number): Promise<ChannelHealth> {
  if (!channel.checkHealth) return { status: "healthy", detail: "no health check of its own" };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<ChannelHealth>((resolve) => {
    timer = setTimeout(
      () => resolve({ status: "unhealthy", detail: `no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([channel.checkHealth(), timeout]);
  } catch (error) {
    return { status: "unhealthy", detail: `the health check failed: ${messageOf(error)}` };
  } finally {
    clearTimeout(timer);
  }
}

function pluginInvalid(plugin: string, problem: string, cause?: unknown): EngineError {
  return new EngineError(
    "PLUGIN_INVALID",
    `Cannot register plugin "${plugin}": ${problem}`,
    cause === undefined ? {} : { cause },
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
