/**
 * The Slack channel plugin: interventions posted to a Slack incoming
 * webhook. Registers the `slack` channel when SLACK_INTERVENTION_WEBHOOK_URL
 * is set (README.md).
 *
 * @example
 * ```ts
 * const channels = await loadChannelPlugins([firstPartyPlugin("slack")], { config, db, log });
 * ```
 */
import { definePlugin } from "../../engine/plugins/mod.ts";
import { createSlackChannel } from "./channel.ts";
import { slackSettings } from "./settings.ts";

export { createSlackChannel } from "./channel.ts";
export { type SlackSettings, slackSettings } from "./settings.ts";

export default definePlugin({
  settings: slackSettings,
  setup(context, settings) {
    if (settings === null) {
      context.log.info("slack channel off: SLACK_INTERVENTION_WEBHOOK_URL is not set");
      return;
    }
    context.registerChannel(createSlackChannel(settings));
  },
});
