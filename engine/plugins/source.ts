/**
 * Where a plugin comes from: first-party plugins are imported with the
 * engine (their manifest checked when the list is built), plugins from
 * PLUGINS_DIR are found on disk and run in a sandbox.
 */
import { parseManifest, type PluginManifest } from "./manifest.ts";
import type { PluginDefinition } from "./plugin.ts";

/** A first-party plugin: its manifest and its module's definition, run in the engine's process. */
export interface FirstPartyPlugin {
  manifest: PluginManifest;
  // Each definition's setup gets what its own settings() returned: the type is the module's.
  definition: PluginDefinition<never>;
  /** Its folder, relative to the project (for messages). */
  folder: string;
}

/** Pairs a first-party plugin's plugin.json with its module; throws PLUGIN_INVALID on a bad manifest. */
export function firstParty<Settings>(
  manifest: unknown,
  definition: PluginDefinition<Settings>,
  folder: string,
): FirstPartyPlugin {
  return {
    manifest: parseManifest(manifest, `${folder}/plugin.json`),
    definition: definition as PluginDefinition<never>,
    folder,
  };
}
