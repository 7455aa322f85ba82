/**
 * The first-party plugins, each its folder's plugin.json and mod.ts, in the
 * order the engine starts them.
 *
 * @example
 * ```ts
 * const channels = await loadChannelPlugins(firstPartyChannelPlugins, { config, db, log });
 * const inApp = firstPartyPlugin("in-app");
 * ```
 */
import { firstParty, type FirstPartyPlugin } from "../engine/plugins/mod.ts";
import dashboard from "./dashboard/mod.ts";
import dashboardManifest from "./dashboard/plugin.json" with { type: "json" };
import email from "./email/mod.ts";
import emailManifest from "./email/plugin.json" with { type: "json" };
import inApp from "./in-app/mod.ts";
import inAppManifest from "./in-app/plugin.json" with { type: "json" };
import marketing from "./marketing/mod.ts";
import marketingManifest from "./marketing/plugin.json" with { type: "json" };
import offline from "./offline/mod.ts";
import offlineManifest from "./offline/plugin.json" with { type: "json" };
import slack from "./slack/mod.ts";
import slackManifest from "./slack/plugin.json" with { type: "json" };
import webhook from "./webhook/mod.ts";
import webhookManifest from "./webhook/plugin.json" with { type: "json" };
import viral from "./viral/mod.ts";
import viralManifest from "./viral/plugin.json" with { type: "json" };

/** The delivery channels: email, Slack, webhook and the in-app inbox. */
export const firstPartyChannelPlugins: readonly FirstPartyPlugin[] = [
  firstParty(emailManifest, email, "plugins/email"),
  firstParty(slackManifest, slack, "plugins/slack"),
  firstParty(webhookManifest, webhook, "plugins/webhook"),
  firstParty(inAppManifest, inApp, "plugins/in-app"),
];

/** Every first-party plugin, in start order. */
export const firstPartyPlugins: readonly FirstPartyPlugin[] = [
  ...firstPartyChannelPlugins,
  firstParty(viralManifest, viral, "plugins/viral"),
  firstParty(marketingManifest, marketing, "plugins/marketing"),
  firstParty(dashboardManifest, dashboard, "plugins/dashboard"),
  firstParty(offlineManifest, offline, "plugins/offline"),
];

/** The first-party plugin `name`; throws when there is none. */
export function firstPartyPlugin(name: string): FirstPartyPlugin {
  const plugin = firstPartyPlugins.find((p) => p.manifest.name === name);
  if (!plugin) throw new Error(`No first-party plugin "${name}"`);
  return plugin;
}

/**
 * The tables first-party plugins keep in the engine's database, as their
 * manifests' `retention` declares them: the retention job empties them of
 * rows older than DATA_RETENTION_DAYS, whether the plugin is enabled or not
 * (stored data ages out either way).
 */
export const firstPartyRetentionTables = firstPartyPlugins.flatMap((plugin) =>
  plugin.manifest.retention.map((table) => ({ plugin: plugin.manifest.name, ...table }))
);
