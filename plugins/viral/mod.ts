/**
 * The viral plugin: referrals in (`POST /plugins/viral/referrals`), referral
 * facts out (`referrals_sent_30d`, `viral_coefficient`), a health boost for
 * referrers whose referrals became customers, and a referral ask posted to
 * VIRAL_API_ENDPOINT when a customer's health crosses `minScore`
 * (README.md). Without VIRAL_API_ENDPOINT it still records referrals and
 * gives facts; its health says asks are off.
 *
 * @example
 * ```ts
 * const viral = firstParty(manifest, viralPlugin({ now: () => clock.now() }), "plugins/viral");
 * ```
 */
import { definePlugin, type PluginDefinition, type PluginHooks } from "../../engine/plugins/mod.ts";
import { referralFacts } from "./facts.ts";
import { eraseReferralData, exportReferralData } from "./privacy.ts";
import { type AskStatus, referralAskHandler } from "./referral_ask.ts";
import { referralRoutes } from "./routes.ts";
import { type ViralSettings, viralSettings } from "./settings.ts";

export type { ReferralAskBody } from "./referral_ask.ts";
export { CONVERSION_WINDOW_DAYS, type RecordResult } from "./record_referrals.ts";
export { REFERRAL_WRITERS } from "./routes.ts";
export { type ViralSettings, viralSettings } from "./settings.ts";

/** The plugin's definition; `now` stamps asks and bounds referral times (the system clock by default). */
export function viralPlugin(
  options: { now?: () => Date } = {},
): PluginDefinition<ViralSettings> {
  const now = options.now ?? (() => new Date());
  return definePlugin<ViralSettings>({
    settings: viralSettings,
    setup(context, settings): PluginHooks {
      if (!context.engine) {
        throw new Error(
          "the viral plugin keeps referrals in the engine's database: load it first-party",
        );
      }
      const { db } = context.engine;
      const status: AskStatus = { lastSentAt: null, lastFailure: null };
      const endpoint = settings.endpoint;
      if (endpoint === null) {
        context.log.info("referral asks off: VIRAL_API_ENDPOINT is not set");
      }
      return {
        on: {
          "health.changed": endpoint === null
            ? () => Promise.resolve()
            : referralAskHandler(db, { ...settings, endpoint }, { now, status }),
        },
        facts: ({ customerIds, asOf }) => referralFacts(db, customerIds, new Date(asOf)),
        routes: (app) =>
          referralRoutes(app, { db, log: context.log, now, boostPoints: settings.boostPoints }),
        health: () => Promise.resolve(healthOf(settings, status)),
        exportCustomer: ({ customerId }) => exportReferralData(db, customerId),
        eraseCustomer: (request) => eraseReferralData(db, request),
      };
    },
  });
}

function healthOf(settings: ViralSettings, status: AskStatus) {
  if (settings.endpoint === null) {
    return {
      status: "healthy" as const,
      detail: "Referral asks are off: VIRAL_API_ENDPOINT is not set. Referrals " +
        "(POST /plugins/viral/referrals), facts and health boosts work",
    };
  }
  // The host only: an endpoint's path or query can hold a credential.
  const host = new URL(settings.endpoint).host;
  if (status.lastFailure !== null) {
    return {
      status: "degraded" as const,
      detail:
        `The last referral ask to ${host} failed at ${status.lastFailure.at.toISOString()}: ` +
        `${status.lastFailure.message}; the event hub retries it`,
    };
  }
  const last = status.lastSentAt === null
    ? "none sent since the start"
    : `the last sent at ${status.lastSentAt.toISOString()}`;
  return {
    status: "healthy" as const,
    detail: `Referral asks go to ${host} for customers reaching ${settings.minScore} points, ` +
      `at most one per customer in ${settings.cooldownDays} days; ${last}`,
  };
}

export default viralPlugin();
