/**
 * The facts plugins contribute to the rules' catalog, as their manifests
 * declare them: from the running plugins (the engine), or from the
 * manifests of the enabled plugins without starting any (a command such as
 * `rules:import`, which checks rules against the same catalog the engine
 * uses).
 */
import type { Queryable } from "../db/mod.ts";
import { discoverPlugins } from "./discovery.ts";
import type { PluginManifest } from "./manifest.ts";
import { readPluginSettings } from "./settings_store.ts";
import type { FirstPartyPlugin } from "./source.ts";

/** A fact a plugin contributes (the rules' FactDefinition, by shape). */
export interface PluginFactDefinition {
  name: string;
  type: "number" | "boolean" | "string";
  unit: string | null;
  description: string;
  source: `plugin:${string}`;
}

/** The facts `manifest` declares, as catalog entries. */
export function factsOf(manifest: PluginManifest): PluginFactDefinition[] {
  return manifest.capabilities.facts.map((fact) => ({
    name: fact.name,
    type: fact.type,
    unit: fact.unit ?? null,
    description: fact.description,
    source: `plugin:${manifest.name}` as const,
  }));
}

/** The facts of the enabled plugins (first-party, and those in `directory`), without starting them. */
export async function declaredPluginFacts(
  db: Queryable,
  plugins: { firstParty: readonly FirstPartyPlugin[]; directory?: string | undefined },
): Promise<PluginFactDefinition[]> {
  const settings = await readPluginSettings(db);
  const found = plugins.directory ? await discoverPlugins(plugins.directory) : [];
  const manifests = [
    ...plugins.firstParty.map((p) => p.manifest),
    ...found.flatMap((p) => p.manifest ? [p.manifest] : []),
  ];
  return manifests.filter((m) => settings.get(m.name)?.enabled ?? true).flatMap(factsOf);
}
