/**
 * The dashboard plugin: a live WebSocket feed of domain events and metric
 * deltas at /plugins/dashboard/ws, for any role that may read metrics, with
 * per-client backpressure; optionally pushed to DASHBOARD_WS_ENDPOINT
 * (README.md has the protocol).
 *
 * @example
 * ```ts
 * const feed = new WebSocket(`wss://engine.example.com/plugins/dashboard/ws?access_token=${token}`);
 * feed.onmessage = (message) => console.log(JSON.parse(message.data)); // hello, event, delta, …
 * ```
 */
import type { PluginEventHandler, PluginHooks } from "../../engine/plugins/mod.ts";
import { definePlugin } from "../../engine/plugins/mod.ts";
import { DashboardFeed } from "./feed.ts";
import { type FeedEventType, feedEventTypes } from "./protocol.ts";
import { feedRoutes } from "./routes.ts";
import { dashboardSettings } from "./settings.ts";

export { DashboardFeed, type DashboardFeedOptions, type FeedStatus } from "./feed.ts";
export {
  AT_RISK_ABOVE,
  LIKELY_TO_CHURN_FROM,
  type MetricChange,
  type MetricName,
  metricNames,
  MetricsRollup,
  type MetricValues,
} from "./metrics.ts";
export {
  type ClientMessage,
  closeCodes,
  type FeedEventType,
  feedEventTypes,
  type HelloMessage,
  PROTOCOL_VERSION,
  type ServerMessage,
} from "./protocol.ts";
export { type Backoff, defaultBackoff, type PushStatus } from "./push.ts";
export { type DashboardSettings, dashboardSettings } from "./settings.ts";

export default definePlugin({
  settings: dashboardSettings,
  setup(context, settings) {
    const feed = new DashboardFeed({
      settings,
      plugin: { name: context.name, version: context.version },
      log: context.log,
    });
    const on: PluginHooks["on"] = {};
    for (const type of feedEventTypes) on[type] = publisher(feed, type);
    return {
      on,
      routes: feedRoutes(feed),
      health: () => Promise.resolve(feed.health()),
      stop: () => feed.stop(),
    };
  },
});

// Publishing only queues, per client: it never waits, so the hub is never held up by a reader.
function publisher(feed: DashboardFeed, type: FeedEventType): PluginEventHandler {
  return (event) => Promise.resolve(feed.publish({ ...event, type }));
}
