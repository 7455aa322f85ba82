/**
 * The `integrations` component: the plugins the event hub delivers to (are
 * they keeping up, is a circuit breaker open, did events fail for good?) and
 * the event log they read. A plugin delivered live in every engine is judged
 * by this engine's view of it: its lag here, and whether its calls fail now.
 */
import { type Config, redactedConfig } from "../config.ts";
import type { Db } from "../db/mod.ts";
import { eventLogSummary } from "../events/mod.ts";
import type {
  DurableDeliveryStatus,
  EventHubView as HubView,
  LiveDeliveryStatus,
  PluginDeliveryStatus,
} from "../plugins/mod.ts";
import { describeAge, type HealthCheck, type HealthStatus } from "./health_checks.ts";

const endpointKeys = {
  viral: "VIRAL_API_ENDPOINT",
  marketing: "MARKETING_API_ENDPOINT",
  dashboard: "DASHBOARD_WS_ENDPOINT",
  offline: "OFFLINE_SYNC_ENDPOINT",
} as const;

/** What the checks read from the event hub. */
export type EventHubView = Pick<HubView, "status" | "subscribers">;

/** Dead letters this recent, not replayed, make a plugin degraded; older ones are only listed. */
export const DEAD_LETTER_ALERT_MS = 24 * 3_600_000;

/** Each subscribed plugin's delivery: lag, breaker, failures, dead letters. */
export function pluginsCheck(config: Config, hub: EventHubView | undefined): HealthCheck {
  return {
    name: "plugins",
    component: "integrations",
    async run({ now }) {
      // Shown redacted: an endpoint may carry a key in its query or a password.
      const shown = redactedConfig(config);
      const endpoints = Object.fromEntries(
        Object.entries(endpointKeys).map(([name, key]) => [name, shown[key] ?? null]),
      );
      const enabled = config.SUCCESS_EVENT_HUB_ENABLED;
      if (!enabled || !hub) {
        return {
          status: enabled ? "degraded" : "healthy",
          message: enabled
            ? "The event hub does not run in this engine: no plugin receives events, which " +
              "wait in the event log until an engine runs the hub"
            : "The event hub is turned off (SUCCESS_EVENT_HUB_ENABLED=false)",
          details: { enabled, plugins: [], endpoints },
        };
      }
      const plugins = (await hub.status()).map((status) => judgePlugin(status, now, config));
      const problems = plugins.flatMap((p) => p.problems);
      return {
        status: problems.length > 0 ? "degraded" : "healthy",
        message: problems.length > 0
          ? problems.join("; ")
          : plugins.length === 0
          ? "The event hub runs; no plugin subscribes to events"
          : `${plugins.length} plugin(s) receive events: ${
            plugins.map((p) => `${p.details.plugin} (${describeDelivery(p.details)})`).join(", ")
          }`,
        details: { enabled, plugins: plugins.map((p) => p.details), endpoints },
      };
    },
  };
}

/** How far the event log has grown, and which plugins read it. */
export function eventLogCheck(db: Db, hub: EventHubView | undefined): HealthCheck {
  return {
    name: "event-log",
    component: "integrations",
    async run({ now }) {
      const summary = await eventLogSummary(db);
      const last = summary.lastRecordedAt;
      const consumers = hub?.subscribers.map((s) => s.name) ?? [];
      const readers = !hub
        ? "the event hub does not run in this engine"
        : consumers.length === 0
        ? "no plugin reads it"
        : `${consumers.length} plugin(s) read it (${consumers.join(", ")})`;
      return {
        status: "healthy",
        message: summary.lastEventId === null
          ? `The event log is empty; ${readers}`
          : `The event log holds events up to id ${summary.lastEventId}, the newest ` +
            `${describeAge(Math.max(0, now.getTime() - last!.getTime()))} old; ${readers}`,
        details: {
          lastEventId: summary.lastEventId,
          lastRecordedAt: last?.toISOString() ?? null,
          consumers,
        },
      };
    },
  };
}

type PluginDetails = PluginDeliveryStatus & {
  status: HealthStatus;
  /** Seconds the oldest waiting event has waited; null when none waits. */
  lagSeconds: number | null;
};

/** One plugin's status, and what is wrong with it, each as a sentence. */
function judgePlugin(
  status: PluginDeliveryStatus,
  now: Date,
  config: Config,
): { details: PluginDetails; problems: string[] } {
  const ageMs = (iso: string | null) =>
    iso === null ? null : Math.max(0, now.getTime() - Date.parse(iso));
  const lagMs = ageMs(status.oldestWaitingAt);
  const problems = status.delivery === "durable"
    ? durableProblems(status, lagMs, ageMs, config)
    : liveProblems(status, lagMs, config);
  return {
    details: {
      ...status,
      status: problems.length > 0 ? "degraded" : "healthy",
      lagSeconds: lagMs === null ? null : Math.round(lagMs / 1000),
    },
    problems,
  };
}

function durableProblems(
  status: DurableDeliveryStatus,
  lagMs: number | null,
  ageMs: (iso: string | null) => number | null,
  config: Config,
): string[] {
  const problems: string[] = [];
  const name = status.plugin;
  if (status.breaker !== "closed") {
    problems.push(
      `${name}: its circuit breaker is ${status.breaker} after ${status.consecutiveFailures} ` +
        `failures in a row (last: ${status.lastError ?? "unknown"}); its events wait in the log ` +
        `and a probe is sent every ${config.PLUGIN_BREAKER_COOLDOWN_SECONDS} s ` +
        "(PLUGIN_BREAKER_COOLDOWN_SECONDS) until one is delivered",
    );
  }
  if (lagMs !== null && lagMs > config.EVENT_HUB_LAG_ALERT_SECONDS * 1000) {
    problems.push(
      `${name}: ${describeWaiting(status)}, the oldest for ${describeAge(lagMs)} (more than ` +
        `EVENT_HUB_LAG_ALERT_SECONDS=${config.EVENT_HUB_LAG_ALERT_SECONDS})${
          status.holder === null ? "; no engine delivers to it: is the event hub running?" : ""
        }`,
    );
  }
  const deadLetterMs = ageMs(status.lastDeadLetterAt);
  if (status.deadLetters > 0 && deadLetterMs !== null && deadLetterMs <= DEAD_LETTER_ALERT_MS) {
    problems.push(
      `${name}: ${status.deadLetters} event(s) failed for good (the newest ` +
        `${describeAge(deadLetterMs)} ago); see GET /api/v1/plugins/${name}/dead-letters, fix ` +
        `the plugin, then deliver them again with POST /api/v1/plugins/${name}/dead-letters/replay`,
    );
  }
  return problems;
}

/** A live plugin has no breaker or dead letters: it is behind here, or its calls fail now. */
function liveProblems(status: LiveDeliveryStatus, lagMs: number | null, config: Config): string[] {
  const problems: string[] = [];
  const name = status.plugin;
  if (lagMs !== null && lagMs > config.EVENT_HUB_LAG_ALERT_SECONDS * 1000) {
    problems.push(
      `${name}: ${describeWaiting(status)} in this engine, the oldest for ${describeAge(lagMs)} ` +
        `(more than EVENT_HUB_LAG_ALERT_SECONDS=${config.EVENT_HUB_LAG_ALERT_SECONDS}): its ` +
        "handler is slow, or a long transaction holds the event log back",
    );
  }
  if (status.consecutiveFailures > 0) {
    problems.push(
      `${name}: its last ${status.consecutiveFailures} event(s) failed and were skipped (last: ` +
        `${status.lastError}); ${status.failed} skipped in this engine so far: live delivery ` +
        "does not retry, see the engine's log",
    );
  }
  return problems;
}

function describeWaiting(status: PluginDeliveryStatus): string {
  if (status.waiting === 0) return "up to date";
  return `${status.waiting.toLocaleString("en")} event(s) waiting`;
}

/** How a plugin is doing, for the healthy message. */
function describeDelivery(status: PluginDeliveryStatus): string {
  return status.delivery === "durable"
    ? describeWaiting(status)
    : `live in every engine, ${describeWaiting(status)} here`;
}
