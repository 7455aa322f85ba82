/**
 * Plugins: the contract (plugin.json, definePlugin, hooks), the helpers a
 * plugin uses (settings parsing, a classified JSON POST), starting plugins
 * in the engine's process or in a sandbox, and the registry of their
 * channels. The engine imports no plugin: main.ts hands the first-party list
 * (plugins/mod.ts) to the plugin host.
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
export {
  definePlugin,
  type EngineAccess,
  type PluginContext,
  type PluginDefinition,
  type PluginErasedRows,
  type PluginEventHandler,
  type PluginFactValue,
  type PluginFactValues,
  type PluginHandlerEvent,
  type PluginHealth,
  pluginHookNames,
  type PluginHooks,
  type PluginRowsByTable,
} from "./plugin.ts";
export {
  parseManifest,
  type PluginManifest,
  type PluginManifestInput,
  supportsEngine,
} from "./manifest.ts";
export { checkDefinition, checkHooks, undeclared, undeclaredChannel } from "./hook_check.ts";
export { checkPluginConfig } from "./plugin_config.ts";
export { firstParty, type FirstPartyPlugin } from "./source.ts";
export { type PluginDirectory, pluginPersonalData } from "./personal_data.ts";
export type { RunningPlugin } from "./running.ts";
export {
  type DeliveryMode,
  deliveryModes,
  type EventSubscriber,
  type PluginEvent,
} from "./subscriber.ts";
export {
  type ChannelHealthReport,
  type ChannelRegistry,
  channelRegistry,
} from "./channel_registry.ts";
export { loadChannelPlugins, type LoadChannelPluginsOptions } from "./registry.ts";
export {
  PluginHost,
  type PluginHostOptions,
  type PluginOrigin,
  type PluginStatus,
  type SandboxStarter,
} from "./host.ts";
export type { PluginChangeBy } from "./settings_store.ts";
export { type RequestActor, requestActor, setRequestActor } from "./request_actor.ts";
export { scaffoldFiles, scaffoldPlugin } from "./scaffold.ts";
export { parsePluginSettings } from "./settings.ts";
export {
  defaultRestartPolicy,
  type RestartPolicy,
  type SandboxedPluginOptions,
  sandboxPermissions,
  startSandboxedPlugin,
} from "./sandbox/mod.ts";
export { postJson, type PostJsonOptions, type PostJsonResult } from "./http_delivery.ts";
export { signBody, verifyBodySignature, type VerifySignatureOptions } from "./signature.ts";
export {
  type BreakerState,
  type DeadLetter,
  type DeadLetterQuery,
  type DurableDeliveryStatus,
  EVENT_LOG_CHANNEL,
  EventHub,
  type EventHubOptions,
  type EventHubSettings,
  eventHubSettings,
  type EventHubView,
  type LiveDeliveryStatus,
  type LogPosition,
  parseReplayFrom,
  type PluginDeliveryStatus,
  type ReplayChange,
  type ReplayFrom,
  type ReplayResult,
  type StartAt,
  WAITING_COUNTED,
} from "./hub/mod.ts";
export { PluginEvents, type PluginEventsOptions } from "./plugin_events.ts";
export { declaredPluginFacts, factsOf, type PluginFactDefinition } from "./declared_facts.ts";
