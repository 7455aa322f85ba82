/**
 * What the rule builder checks and simulates against, taken as the rule
 * routes take it: the fact catalog with the running plugins' facts, the
 * templates there are, and the plugins' fact values for simulation.
 */
import type { Queryable } from "../../db/mod.ts";
import { loadTemplateChannels } from "../../interventions/templates/mod.ts";
import { type ExtraFacts, loadFactCatalog, type RuleContext } from "../../rules/mod.ts";
import type { ConsoleDeps } from "../deps.ts";

/** The catalog and templates a rule is validated against now. */
export async function ruleContextOf(db: Queryable, deps: ConsoleDeps): Promise<RuleContext> {
  const [catalog, templates] = await Promise.all([
    loadFactCatalog(db, deps.plugins?.factDefinitions() ?? []),
    loadTemplateChannels(db),
  ]);
  return { catalog, templates };
}

/** The plugins' fact values for a simulation, when plugins run. */
export function extraFactsOf(deps: ConsoleDeps): ExtraFacts | undefined {
  const plugins = deps.plugins;
  return plugins ? (ids, at) => plugins.facts(ids, at) : undefined;
}
