/**
 * The marketing plugin's settings: MARKETING_API_ENDPOINT from the engine's
 * configuration, and its own configuration (plugin.json `config`, whose JSON
 * Schema has filled in the defaults before this runs).
 */
import { z } from "zod";
import { parsePluginSettings } from "../../engine/plugins/mod.ts";
import { fieldName } from "./fields.ts";
import { marketingKinds } from "./selection.ts";

// Messages never repeat the values: the endpoint's path and the secret can be credentials.
const schema = z.object({
  MARKETING_API_ENDPOINT: z.url({
    protocol: /^https?$/,
    error: "must be an http:// or https:// URL, e.g. https://api.example.com/marketing",
  }).optional(),
  signingSecret: z.string().min(16, { error: "must be at least 16 characters" }).optional(),
  events: z.array(z.enum(marketingKinds)),
  atRisk: z.object({
    minAtRiskScore: z.number().min(0).max(100),
    minChurnProbability: z.number().min(0).max(1),
    requireConfident: z.boolean(),
  }),
  champion: z.object({ minScore: z.number().min(0).max(100) }),
  milestones: z.array(z.string()),
  fields: z.array(fieldName),
  unsubscribedChannels: z.array(z.string()),
  batchSize: z.int().min(1).max(1_000),
  maxWaitMs: z.int().min(0),
  flushIntervalMs: z.int().min(10),
  requestTimeoutMs: z.int().min(100),
  retryInitialMs: z.int().min(10),
  retryMaxMs: z.int().min(10),
  keepDays: z.int().min(1),
}).transform((s) => ({
  /** Where batches go; null turns the plugin off (nothing is queued). */
  endpoint: s.MARKETING_API_ENDPOINT ?? null,
  /** Signs each batch; null holds batches back (queued, not sent) until it is set. */
  signingSecret: s.signingSecret ?? null,
  /** Which events are selected, and by which thresholds. */
  selection: {
    kinds: new Set(s.events),
    minAtRiskScore: s.atRisk.minAtRiskScore,
    minChurnProbability: s.atRisk.minChurnProbability,
    requireConfident: s.atRisk.requireConfident,
    championMinScore: s.champion.minScore,
    // Empty: every milestone.
    milestones: new Set(s.milestones),
  },
  /** The fields each event carries, besides its id, kind, type and time. */
  fields: s.fields,
  /** A customer unsubscribed from any of these channels is never sent; "*" is any channel. */
  unsubscribedChannels: s.unsubscribedChannels,
  batchSize: s.batchSize,
  maxWaitMs: s.maxWaitMs,
  flushIntervalMs: s.flushIntervalMs,
  requestTimeoutMs: s.requestTimeoutMs,
  retryInitialMs: s.retryInitialMs,
  retryMaxMs: Math.max(s.retryMaxMs, s.retryInitialMs),
  keepDays: s.keepDays,
}));

/** What the marketing plugin runs with. */
export type MarketingSettings = z.output<typeof schema>;

/** Which events are selected, and by which thresholds. */
export type MarketingSelection = MarketingSettings["selection"];

/** Reads and checks the settings; throws CONFIG_INVALID naming each bad one. */
export function marketingSettings(
  env: Readonly<Record<string, unknown>>,
  config: Readonly<Record<string, unknown>>,
): MarketingSettings {
  return parsePluginSettings("marketing", schema, {
    ...config,
    MARKETING_API_ENDPOINT: env.MARKETING_API_ENDPOINT,
  });
}
