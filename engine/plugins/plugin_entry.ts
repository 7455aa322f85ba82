/**
 * A plugin as the host keeps it (where it comes from, its manifest, its
 * stored settings, the running instance or why it is not running), and as
 * the API and health show it.
 */
import type { EngineError } from "../errors.ts";
import { REDACTED } from "../log.ts";
import { redactConfig } from "./config_redaction.ts";
import type { PluginManifest } from "./manifest.ts";
import { checkPluginConfig } from "./plugin_config.ts";
import type { RunningPlugin } from "./running.ts";
import type { StoredPluginSettings } from "./settings_store.ts";
import type { FirstPartyPlugin } from "./source.ts";

/** Where a plugin comes from. */
export type PluginOrigin = "first-party" | "directory";

/** A plugin as the API and health show it. */
export interface PluginStatus {
  name: string;
  version: string | null;
  description: string | null;
  origin: PluginOrigin;
  /** Its folder: relative for first-party, the folder name in PLUGINS_DIR otherwise. */
  folder: string;
  sandboxed: boolean;
  enabled: boolean;
  state: "running" | "stopped" | "failed";
  error: { code: string; message: string } | null;
  manifest: PluginManifest | null;
  /** Its configuration, with the schema's defaults; `writeOnly` fields shown as "[redacted]". */
  config: Record<string, unknown>;
  channels: string[];
  /** Of its settings: 0 until an admin changes them. */
  settingsVersion: number;
  updatedAt: string | null;
  updatedBy: string | null;
}

/** A plugin as the host keeps it. */
export interface Entry {
  name: string;
  origin: PluginOrigin;
  folder: string;
  manifest: PluginManifest | null;
  firstParty: FirstPartyPlugin | null;
  directory: string | null;
  settings: StoredPluginSettings;
  running: RunningPlugin | null;
  error: EngineError | null;
}

// A configuration read from the API and sent back holds "[redacted]" for its secrets: keep them.
export function keepSecrets(
  next: Record<string, unknown>,
  stored: Record<string, unknown>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(next).map(([key, value]) => [
      key,
      value === REDACTED && key in stored ? stored[key] : value,
    ]),
  );
}

/** The stored settings of `name`, or its defaults (enabled, empty configuration). */
export function settingsOf(
  name: string,
  stored: Map<string, StoredPluginSettings>,
): StoredPluginSettings {
  return stored.get(name) ??
    { name, enabled: true, config: {}, version: 0, updatedAt: null, updatedBy: null };
}

/** What the API and health show of `entry`. */
export function statusOf(entry: Entry): PluginStatus {
  let config = entry.settings.config;
  if (entry.manifest) {
    try {
      config = checkPluginConfig(entry.manifest, config);
    } catch {
      // Shown as stored: the error says what is wrong with it.
    }
  }
  return {
    name: entry.name,
    version: entry.manifest?.version ?? null,
    description: entry.manifest?.description ?? null,
    origin: entry.origin,
    folder: entry.folder,
    sandboxed: entry.origin === "directory",
    enabled: entry.settings.enabled,
    state: entry.running ? "running" : entry.error ? "failed" : "stopped",
    error: entry.error ? { code: entry.error.code, message: entry.error.message } : null,
    manifest: entry.manifest,
    config: redactConfig(entry.manifest, config),
    channels: entry.running?.channels.map((c) => c.id) ?? [],
    settingsVersion: entry.settings.version,
    updatedAt: entry.settings.updatedAt?.toISOString() ?? null,
    updatedBy: entry.settings.updatedBy,
  };
}
