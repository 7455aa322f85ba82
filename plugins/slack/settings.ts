/** The Slack channel's settings: SLACK_INTERVENTION_WEBHOOK_URL, from the engine's configuration. */
import { z } from "zod";
import { parsePluginSettings } from "../../engine/plugins/mod.ts";

/** Where the Slack channel posts. */
export interface SlackSettings {
  /** The incoming webhook; its path is the credential. */
  webhookUrl: string;
  /** How long Slack has to answer one post. */
  timeoutMs: number;
}

const schema = z.object({
  // Messages never repeat the value: the URL is a secret.
  SLACK_INTERVENTION_WEBHOOK_URL: z.url({
    protocol: /^https?$/,
    error:
      "must be an http:// or https:// URL, e.g. https://hooks.slack.com/services/T000/B000/XXXX",
  }).optional(),
});

/** The Slack settings in `config`; null when SLACK_INTERVENTION_WEBHOOK_URL is unset. */
export function slackSettings(config: Readonly<Record<string, unknown>>): SlackSettings | null {
  const parsed = parsePluginSettings("slack", schema, config);
  if (parsed.SLACK_INTERVENTION_WEBHOOK_URL === undefined) return null;
  return { webhookUrl: parsed.SLACK_INTERVENTION_WEBHOOK_URL, timeoutMs: 10_000 };
}
