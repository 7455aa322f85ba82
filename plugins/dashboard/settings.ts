/**
 * The dashboard feed's settings: DASHBOARD_WS_ENDPOINT from the engine's
 * configuration, and the limits in the plugin's own configuration
 * (plugin.json "config", defaults filled in by the engine).
 */
import { z } from "zod";
import { parsePluginSettings } from "../../engine/plugins/mod.ts";

/** How the feed behaves. */
export interface DashboardSettings {
  /** Where the feed is also pushed (a ws:// or wss:// URL); null when it is not. */
  pushEndpoint: string | null;
  /** Seconds between heartbeats. */
  heartbeatSeconds: number;
  /** How far behind (messages, bytes of JSON) a client may fall before it is dropped. */
  maxQueuedMessages: number;
  maxQueuedBytes: number;
  /** Invalid messages a client may send; the last one closes it. */
  maxInvalidMessages: number;
  /** Messages kept for the push endpoint while it is unreachable. */
  pushBufferMessages: number;
}

// The bounds repeat plugin.json's schema, so a configuration that did not come through the
// engine (a test, a future caller) is still refused with the setting's name.
const count = (max: number, min = 1) => z.number().int().min(min).max(max);

const environment = z.object({
  // Messages never repeat the value: an endpoint can carry a key in its query.
  DASHBOARD_WS_ENDPOINT: z.url({
    protocol: /^wss?$/,
    error: "must be a ws:// or wss:// URL, e.g. wss://ws.example.com/dashboard",
  }).optional(),
});

const configuration = z.object({
  heartbeatSeconds: count(3600).default(30),
  maxQueuedMessages: count(100_000).default(1000),
  maxQueuedBytes: count(268_435_456, 1024).default(4_194_304),
  maxInvalidMessages: count(1000).default(5),
  pushBufferMessages: count(1_000_000).default(1000),
});

/** Reads the settings; throws CONFIG_INVALID naming the bad variable or setting. */
export function dashboardSettings(
  env: Readonly<Record<string, unknown>>,
  config: Readonly<Record<string, unknown>>,
): DashboardSettings {
  const { DASHBOARD_WS_ENDPOINT } = parsePluginSettings("dashboard", environment, {
    DASHBOARD_WS_ENDPOINT: env.DASHBOARD_WS_ENDPOINT,
  });
  const limits = parsePluginSettings("dashboard", configuration, config);
  return { pushEndpoint: DASHBOARD_WS_ENDPOINT ?? null, ...limits };
}
