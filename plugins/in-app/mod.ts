/**
 * The in-app channel plugin: interventions delivered to the customer's inbox
 * inside the product. Always registers the `in-app` channel: it needs no
 * settings (README.md).
 *
 * @example
 * ```ts
 * const channels = await loadChannelPlugins([inApp], { config, db, log });
 * ```
 */
import { definePlugin } from "../../engine/plugins/mod.ts";
import { createInAppChannel } from "./channel.ts";

export { createInAppChannel } from "./channel.ts";

export default definePlugin({
  name: "in-app",
  version: "1.0.0",
  // Nothing to configure: the inbox is the engine's own database.
  settings: () => ({}),
  setup(context) {
    context.registerChannel(createInAppChannel(context.inbox));
  },
});
