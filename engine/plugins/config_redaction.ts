/**
 * Hiding a plugin's secret settings: a property its config schema marks
 * `"writeOnly": true` (an API key, a signing secret) is set through the API
 * but never shown back, in answers or in the audit log.
 */
import { REDACTED } from "../log.ts";
import type { PluginManifest } from "./manifest.ts";

/** `config` with each top-level writeOnly property replaced by "[redacted]". */
export function redactConfig(
  manifest: PluginManifest | null,
  config: Record<string, unknown>,
): Record<string, unknown> {
  const properties = manifest?.config?.properties;
  if (typeof properties !== "object" || properties === null) return config;
  const secret = Object.entries(properties as Record<string, unknown>).filter(([, schema]) =>
    typeof schema === "object" && schema !== null &&
    (schema as Record<string, unknown>).writeOnly === true
  ).map(([name]) => name);
  if (secret.length === 0) return config;
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [key, secret.includes(key) ? REDACTED : value]),
  );
}
