/** The benchmarks' rule set in a benchmark database: the default packs and eleven more. */
import type { Db } from "../../engine/db/mod.ts";
import {
  installDefaultTemplates,
  loadTemplateChannels,
} from "../../engine/interventions/templates/mod.ts";
import {
  DEFAULT_RULE_PACKS,
  importRules,
  loadFactCatalog,
  packFiles,
  readRulePacks,
} from "../../engine/rules/mod.ts";
import { extraRules } from "./extra_rules.ts";

/** The default packs and the benchmark's eleven extra rules: 25, published. */
export async function publishBenchRules(db: Db): Promise<void> {
  await installDefaultTemplates(db, { now: new Date() });
  const context = { catalog: await loadFactCatalog(db), templates: await loadTemplateChannels(db) };
  const packed = [
    ...await readRulePacks(await packFiles(DEFAULT_RULE_PACKS), context),
    ...extraRules,
  ];
  await importRules(db, packed, {
    publish: true,
    context,
    change: { actor: "bench", now: new Date() },
  });
}
