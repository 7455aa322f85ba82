/**
 * The viral plugin's settings: VIRAL_API_ENDPOINT from the engine's
 * configuration, and its own configuration (plugin.json `config`, whose
 * JSON Schema fills in the defaults before this runs).
 */
import { z } from "zod";
import { parsePluginSettings } from "../../engine/plugins/mod.ts";

// Messages never repeat the values: the endpoint's path and the secret can be credentials.
const schema = z.object({
  VIRAL_API_ENDPOINT: z.url({
    protocol: /^https?$/,
    error: "must be an http:// or https:// URL, e.g. https://api.example.com/viral",
  }).optional(),
  minScore: z.number().min(0).max(100),
  cooldownDays: z.int().min(1).max(365),
  boostPoints: z.number().min(0).max(100),
  timeoutMs: z.int().min(100).max(60_000),
  signingSecret: z.string().min(16, { error: "must be at least 16 characters" }).optional(),
}).transform((s) => ({
  /** Where referral asks go; null turns asks off (referrals and facts still work). */
  endpoint: s.VIRAL_API_ENDPOINT ?? null,
  /** Signs each ask when set. */
  signingSecret: s.signingSecret ?? null,
  /** A score at or above this, reached from below, is a good moment to ask. */
  minScore: s.minScore,
  /** Days that must lie between two asks of one customer. */
  cooldownDays: s.cooldownDays,
  /** Health points per converted referral while it counts; 0 grants none. */
  boostPoints: s.boostPoints,
  /** How long the endpoint has to answer an ask. */
  timeoutMs: s.timeoutMs,
}));

/** What the viral plugin runs with. */
export type ViralSettings = z.output<typeof schema>;

/** Reads and checks the settings; throws CONFIG_INVALID naming each bad one. */
export function viralSettings(
  env: Readonly<Record<string, unknown>>,
  config: Readonly<Record<string, unknown>>,
): ViralSettings {
  return parsePluginSettings("viral", schema, {
    ...config,
    VIRAL_API_ENDPOINT: env.VIRAL_API_ENDPOINT,
  });
}
