/**
 * The webhook channel's settings: INTERVENTION_WEBHOOK_URL and its signing
 * secret INTERVENTION_WEBHOOK_SECRET, from the engine's configuration.
 */
import { z } from "zod";
import { EngineError } from "../../engine/errors.ts";
import { parsePluginSettings } from "../../engine/plugins/mod.ts";

/** Where the webhook channel posts, and the secret it signs with. */
export interface WebhookSettings {
  url: string;
  secret: string;
  /** How long the receiver has to answer one post. */
  timeoutMs: number;
}

const SECRET_PROBLEM = "must be set when INTERVENTION_WEBHOOK_URL is set: the webhook channel " +
  "signs every post with it (at least 16 characters, e.g. openssl rand -hex 32)";

// Messages never repeat the values: both are secrets.
const schema = z.object({
  INTERVENTION_WEBHOOK_URL: z.url({
    protocol: /^https?$/,
    error: "must be an http:// or https:// URL, e.g. https://crm.example.com/hooks/interventions",
  }).optional(),
  INTERVENTION_WEBHOOK_SECRET: z.string().min(16, {
    error: "must be at least 16 characters (e.g. openssl rand -hex 32)",
  }).optional(),
});

/**
 * The webhook settings in `config`; null when INTERVENTION_WEBHOOK_URL is
 * unset. A URL without a secret is CONFIG_INVALID: posts are never unsigned.
 */
export function webhookSettings(config: Readonly<Record<string, unknown>>): WebhookSettings | null {
  const parsed = parsePluginSettings("webhook", schema, config);
  if (parsed.INTERVENTION_WEBHOOK_URL === undefined) return null;
  if (parsed.INTERVENTION_WEBHOOK_SECRET === undefined) {
    throw new EngineError(
      "CONFIG_INVALID",
      `Invalid configuration for the webhook plugin: INTERVENTION_WEBHOOK_SECRET: ${SECRET_PROBLEM}`,
      { issues: [{ path: "INTERVENTION_WEBHOOK_SECRET", message: SECRET_PROBLEM }] },
    );
  }
  return {
    url: parsed.INTERVENTION_WEBHOOK_URL,
    secret: parsed.INTERVENTION_WEBHOOK_SECRET,
    timeoutMs: 10_000,
  };
}
