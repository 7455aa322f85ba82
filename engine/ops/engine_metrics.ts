/**
 * The engine's metrics, declared once: what `GET /metrics` shows and
 * docs/telemetry.md lists. One EngineMetrics per process (main.ts makes it and
 * hands it to the API and the cycle runner); tests make their own.
 */
import { type Counter, type Gauge, type Histogram, MetricsRegistry } from "./metrics.ts";
import type { Meter } from "./otel.ts";

/** Upper bounds of request latency buckets, in seconds (the seed's targets are 200 and 500 ms). */
export const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5, 10] as const;

/** Upper bounds of cycle and stage duration buckets, in seconds. */
export const CYCLE_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600] as const;

/** Upper bounds of plugin delivery and channel send duration buckets, in seconds. */
export const DELIVERY_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

/** Every metric the engine records, and the registry to declare more on. */
export interface EngineMetrics {
  registry: MetricsRegistry;
  httpRequests: Counter<"method" | "route" | "status">;
  httpRequestDuration: Histogram<"method" | "route" | "status">;
  cycleDuration: Histogram<"trigger" | "status">;
  cycleStageDuration: Histogram<"stage" | "status">;
  ruleFirings: Counter<"rule">;
  interventions: Counter<"status" | "channel">;
  pluginLag: Gauge<"plugin">;
  pluginDeliveries: Counter<"plugin" | "outcome">;
  pluginDeliveryDuration: Histogram<"plugin" | "outcome">;
  channelSends: Counter<"channel" | "outcome">;
  channelSendDuration: Histogram<"channel" | "outcome">;
  privacyRequestsOverdue: Gauge<"type">;
}

/** Declares the engine's metrics on a new registry (measurements also go to `meter`). */
export function createEngineMetrics(options: { meter?: Meter } = {}): EngineMetrics {
  const registry = new MetricsRegistry(options);
  return {
    registry,
    httpRequests: registry.counter({
      name: "cs_http_requests_total",
      help: "API requests answered, by method, route pattern and status code",
      labels: ["method", "route", "status"],
    }),
    httpRequestDuration: registry.histogram({
      name: "cs_http_request_duration_seconds",
      help:
        "Time from receiving an API request to its response, by method, route pattern and status",
      labels: ["method", "route", "status"],
      unit: "s",
      buckets: REQUEST_BUCKETS,
    }),
    cycleDuration: registry.histogram({
      name: "cs_cycle_duration_seconds",
      help: "Duration of evaluation cycles, by trigger (schedule, api, cli, startup) and status",
      labels: ["trigger", "status"],
      unit: "s",
      buckets: CYCLE_BUCKETS,
    }),
    cycleStageDuration: registry.histogram({
      name: "cs_cycle_stage_duration_seconds",
      help: "Duration of each stage of evaluation cycles, by stage and status",
      labels: ["stage", "status"],
      unit: "s",
      buckets: CYCLE_BUCKETS,
    }),
    ruleFirings: registry.counter({
      name: "cs_rule_firings_total",
      help: "Rule firings, by rule id",
      labels: ["rule"],
    }),
    interventions: registry.counter({
      name: "cs_interventions_total",
      help: "Interventions reaching a status (planned, suppressed, sent, failed, …), by channel",
      labels: ["status", "channel"],
    }),
    pluginLag: registry.gauge({
      name: "cs_plugin_lag_seconds",
      help: "Age of the oldest event an integration plugin has not handled yet (0 when caught up)",
      labels: ["plugin"],
      unit: "s",
    }),
    pluginDeliveries: registry.counter({
      name: "cs_plugin_deliveries_total",
      help: "Events delivered to integration plugins, by plugin and outcome (ok, error)",
      labels: ["plugin", "outcome"],
    }),
    pluginDeliveryDuration: registry.histogram({
      name: "cs_plugin_delivery_duration_seconds",
      help: "Time an integration plugin took to handle an event, by plugin and outcome",
      labels: ["plugin", "outcome"],
      unit: "s",
      buckets: DELIVERY_BUCKETS,
    }),
    channelSends: registry.counter({
      name: "cs_channel_sends_total",
      help: "Messages sent through channel plugins, by channel and outcome (ok, error)",
      labels: ["channel", "outcome"],
    }),
    channelSendDuration: registry.histogram({
      name: "cs_channel_send_duration_seconds",
      help: "Time a channel plugin took to send a message, by channel and outcome",
      labels: ["channel", "outcome"],
      unit: "s",
      buckets: DELIVERY_BUCKETS,
    }),
    privacyRequestsOverdue: registry.gauge({
      name: "cs_privacy_requests_overdue",
      help: "Privacy requests still open after their 30-day due date, by type",
      labels: ["type"],
    }),
  };
}
