/**
 * The offline plugin's settings, all from the engine's configuration: where
 * to announce new changes (OFFLINE_SYNC_ENDPOINT), and the limits pushed
 * usage events share with POST /api/v1/events, so an event is accepted or
 * refused the same whichever way it arrives.
 */
import { z } from "zod";
import { parsePluginSettings } from "../../engine/plugins/mod.ts";

/** What the plugin reads from the configuration. */
export interface OfflineSettings {
  /** Where new changes are announced; null when OFFLINE_SYNC_ENDPOINT is unset. */
  announceUrl: string | null;
  /** How long the push service has to answer one announcement. */
  announceTimeoutMs: number;
  /** Items per push (EVENT_BATCH_LIMIT). */
  maxPushItems: number;
  /** Clock skew tolerated before a batch's times are corrected (EVENT_FUTURE_TOLERANCE_SECONDS). */
  toleranceSeconds: number;
  /** Items older than this are refused (DATA_RETENTION_DAYS): ingestion would not keep them. */
  retentionDays: number;
}

const wholeNumber = z.coerce.number({ error: "must be a whole number" }).int(
  "must be a whole number",
);

// The engine's configuration has parsed these already; a test or a sandbox may
// hand them over as text or not at all, so they are coerced and defaulted here
// with the engine's own defaults (engine/config.ts).
const schema = z.object({
  OFFLINE_SYNC_ENDPOINT: z.url({
    protocol: /^https?$/,
    error: "must be an http:// or https:// URL, e.g. https://api.example.com/offline",
  }).optional(),
  EVENT_BATCH_LIMIT: wholeNumber.min(1).max(10_000).default(1_000),
  EVENT_FUTURE_TOLERANCE_SECONDS: wholeNumber.min(0).default(300),
  DATA_RETENTION_DAYS: wholeNumber.min(1).default(730),
});

/** Reads the settings; throws CONFIG_INVALID naming the bad variable. */
export function offlineSettings(env: Readonly<Record<string, unknown>>): OfflineSettings {
  // Only the declared variables: reading another one throws (the plugin's environment is a proxy).
  const parsed = parsePluginSettings("offline", schema, {
    OFFLINE_SYNC_ENDPOINT: env.OFFLINE_SYNC_ENDPOINT,
    EVENT_BATCH_LIMIT: env.EVENT_BATCH_LIMIT,
    EVENT_FUTURE_TOLERANCE_SECONDS: env.EVENT_FUTURE_TOLERANCE_SECONDS,
    DATA_RETENTION_DAYS: env.DATA_RETENTION_DAYS,
  });
  return {
    announceUrl: parsed.OFFLINE_SYNC_ENDPOINT ?? null,
    announceTimeoutMs: 10_000,
    maxPushItems: parsed.EVENT_BATCH_LIMIT,
    toleranceSeconds: parsed.EVENT_FUTURE_TOLERANCE_SECONDS,
    retentionDays: parsed.DATA_RETENTION_DAYS,
  };
}
