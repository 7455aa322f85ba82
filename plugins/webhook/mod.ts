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
// The signature is the engine's (shared with the marketing plugin); exported under the
// webhook's names, which receivers and tests already use.
export {
  signBody as signWebhook,
  verifyBodySignature as verifyWebhookSignature,
  type VerifySignatureOptions as VerifyWebhookOptions,
} from "../../engine/plugins/mod.ts";

export default definePlugin({
  settings: webhookSettings,
  setup(context, settings) {
    if (settings === null) {
      context.log.info("webhook channel off: INTERVENTION_WEBHOOK_URL is not set");
      return;
    }
    context.registerChannel(createWebhookChannel(settings));
  },
});
