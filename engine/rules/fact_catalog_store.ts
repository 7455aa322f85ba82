/** The fact catalog of this engine's data: the active health model's components and the milestone catalog. */
import type { Queryable } from "../db/mod.ts";
import { getActiveHealthModel } from "../health/mod.ts";
import { listMilestoneDefinitions } from "../signals/mod.ts";
import { buildFactCatalog, type FactCatalog, type FactDefinition } from "./facts.ts";

/** Builds the catalog from what is in the database now, with the facts running plugins declare. */
export async function loadFactCatalog(
  db: Queryable,
  pluginFacts: readonly FactDefinition[] = [],
): Promise<FactCatalog> {
  const [model, milestones] = await Promise.all([
    getActiveHealthModel(db),
    listMilestoneDefinitions(db),
  ]);
  return buildFactCatalog({
    healthComponents: model.components.map((c) => c.key),
    milestoneKeys: milestones.map((m) => m.key),
    pluginFacts,
  });
}
