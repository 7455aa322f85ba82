/**
 * Plugins: the channel and plugin contracts, the helpers a channel plugin
 * uses (settings parsing, a classified JSON POST), and the loader that turns
 * a list of plugins into a ChannelRegistry. The engine imports no plugin:
 * main.ts hands the first-party list (plugins/mod.ts) to loadChannelPlugins.
 *
 * @example
 * ```ts
 * const channels = await loadChannelPlugins(firstPartyChannelPlugins, { config, db, log });
 * const receipt = await channels.get("email")?.send(message, { signal });
 * await channels.closeAll();
 * ```
 */
export {
  type Channel,
  type ChannelHealth,
  type ChannelKind,
  channelKinds,
  DeliveryError,
  type DeliveryReceipt,
  type OutgoingMessage,
} from "./channel.ts";
export { definePlugin, type EnginePlugin, type PluginContext } from "./plugin.ts";
export {
  type ChannelHealthReport,
  type ChannelRegistry,
  loadChannelPlugins,
  type LoadChannelPluginsOptions,
} from "./registry.ts";
export { parsePluginSettings } from "./settings.ts";
export { postJson, type PostJsonOptions, type PostJsonResult } from "./http_delivery.ts";
