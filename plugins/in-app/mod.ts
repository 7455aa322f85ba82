/**
 * The in-app channel plugin: interventions delivered to the customer's inbox
 * inside the product. Always registers the `in-app` channel: it needs no
 * settings (README.md).
 *
 * @example
 * ```ts
 * const channels = await loadChannelPlugins([firstPartyPlugin("in-app")], { config, db, log });
 * ```
 */
import { definePlugin } from "../../engine/plugins/mod.ts";
import { createInAppChannel } from "./channel.ts";

export { createInAppChannel } from "./channel.ts";

export default definePlugin({
  // Nothing to configure: the inbox is the engine's own database.
  settings: () => ({}),
  setup(context) {
    if (!context.engine) {
      throw new Error("the in-app channel needs the engine's inbox: load it first-party");
    }
    context.registerChannel(createInAppChannel(context.engine.inbox));
  },
});
