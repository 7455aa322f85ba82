/**
 * The `integrations` component: the event hub's plugins (viral, marketing,
 * dashboard, offline) and the event log they will read. The plugins and their
 * circuit breakers arrive with a later issue, which replaces `pluginsCheck`.
 */
import { type Config, redactedConfig } from "../config.ts";
import type { Db } from "../db/mod.ts";
import { eventLogSummary } from "../events/mod.ts";
import { describeAge, type HealthCheck } from "./health_checks.ts";

const endpointKeys = {
  viral: "VIRAL_API_ENDPOINT",
  marketing: "MARKETING_API_ENDPOINT",
  dashboard: "DASHBOARD_WS_ENDPOINT",
  offline: "OFFLINE_SYNC_ENDPOINT",
} as const;

/** The integration plugins: none is installed yet. */
export function pluginsCheck(config: Config): HealthCheck {
  return {
    name: "plugins",
    component: "integrations",
    run() {
      // Shown redacted: an endpoint may carry a key in its query or a password.
      const shown = redactedConfig(config);
      const endpoints = Object.fromEntries(
        Object.entries(endpointKeys).map(([name, key]) => [name, shown[key] ?? null]),
      );
      const details = { enabled: config.SUCCESS_EVENT_HUB_ENABLED, plugins: [], endpoints };
      return Promise.resolve(
        config.SUCCESS_EVENT_HUB_ENABLED
          ? {
            status: "degraded",
            message: "No integration plugin is installed yet: the event hub and the viral, " +
              "marketing, dashboard and offline plugins (with their circuit breakers) arrive " +
              "with a later issue; events wait in the event log",
            details,
          }
          : {
            status: "healthy",
            message: "The event hub is turned off (SUCCESS_EVENT_HUB_ENABLED=false)",
            details,
          },
      );
    },
  };
}

/** How far the event log has grown, and who reads it (nobody yet). */
export function eventLogCheck(db: Db): HealthCheck {
  return {
    name: "event-log",
    component: "integrations",
    async run({ now }) {
      const summary = await eventLogSummary(db);
      const last = summary.lastRecordedAt;
      return {
        status: "healthy",
        message: summary.lastEventId === null
          ? "The event log is empty"
          : `The event log holds events up to id ${summary.lastEventId}, the newest ` +
            `${describeAge(now.getTime() - last!.getTime())} old; no plugin reads it yet`,
        details: {
          lastEventId: summary.lastEventId,
          lastRecordedAt: last?.toISOString() ?? null,
          consumers: 0,
        },
      };
    },
  };
}
