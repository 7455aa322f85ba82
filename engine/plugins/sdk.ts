/**
 * What a plugin's mod.ts imports: `definePlugin` and the contract's types,
 * and nothing else, so a plugin loads fast and light in its sandbox (this
 * module pulls in no database driver, no HTTP framework, no validator).
 *
 * @example
 * ```ts
 * export default definePlugin({ setup: (context) => ({ on: { "health.changed": async (event) => {} } }) });
 * ```
 */
export {
  definePlugin,
  type PluginContext,
  type PluginDefinition,
  type PluginErasedRows,
  type PluginEventHandler,
  type PluginFactValue,
  type PluginFactValues,
  type PluginHandlerEvent,
  type PluginHealth,
  type PluginHooks,
  type PluginRowsByTable,
} from "./plugin.ts";
export type { PluginEvent } from "./subscriber.ts";
export { DeliveryError } from "./channel.ts";
export { type RequestActor, requestActor } from "./request_actor.ts";
