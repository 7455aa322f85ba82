/**
 * The webhook channel plugin: interventions posted as signed JSON to
 * INTERVENTION_WEBHOOK_URL, for a CRM or your own service. Registers the
 * `webhook` channel when the URL is set (README.md), and exports the
 * signature check receivers use.
 *
 * @example
 * ```ts
 * const ok = await verifyWebhookSignature(secret, timestamp, rawBody, signatureHeader);
 * ```
 */
import { definePlugin } from "../../engine/plugins/mod.ts";
import { createWebhookChannel } from "./channel.ts";
import { webhookSettings } from "./settings.ts";

export { createWebhookChannel, type WebhookBody } from "./channel.ts";
export { type WebhookSettings, webhookSettings } from "./settings.ts";
export { signWebhook, type VerifyWebhookOptions, verifyWebhookSignature } from "./signature.ts";

export default definePlugin({
  name: "webhook",
  version: "1.0.0",
  settings: webhookSettings,
  setup(context, settings) {
    if (settings === null) {
      context.log.info("webhook channel off: INTERVENTION_WEBHOOK_URL is not set");
      return;
    }
    context.registerChannel(createWebhookChannel(settings));
  },
});
