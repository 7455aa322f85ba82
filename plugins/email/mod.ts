/**
 * The email channel plugin: interventions sent over SMTP with nodemailer.
 * Registers the `email` channel when SMTP_URL is set (README.md).
 *
 * @example
 * ```ts
 * const channels = await loadChannelPlugins([firstPartyPlugin("email")], { config, db, log });
 * ```
 */
import { definePlugin } from "../../engine/plugins/mod.ts";
import { createEmailChannel } from "./channel.ts";
import { emailSettings } from "./settings.ts";

export { createEmailChannel } from "./channel.ts";
export { type EmailSettings, emailSettings } from "./settings.ts";
export { messageIdFor } from "./message_id.ts";

export default definePlugin({
  settings: emailSettings,
  setup(context, settings) {
    if (settings === null) {
      context.log.info("email channel off: SMTP_URL is not set");
      return;
    }
    context.registerChannel(createEmailChannel(settings));
  },
});
