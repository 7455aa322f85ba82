/**
 * The first-party plugins, in the order main.ts loads them.
 *
 * @example
 * ```ts
 * const channels = await loadChannelPlugins(firstPartyChannelPlugins, { config, db, log });
 * ```
 */
import type { EnginePlugin } from "../engine/plugins/mod.ts";
import email from "./email/mod.ts";
import inApp from "./in-app/mod.ts";
import slack from "./slack/mod.ts";
import webhook from "./webhook/mod.ts";

/** The delivery channels: email, Slack, webhook and the in-app inbox. */
export const firstPartyChannelPlugins: readonly EnginePlugin[] = [email, slack, webhook, inApp];
