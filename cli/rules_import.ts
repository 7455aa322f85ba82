/**
 * `deno task rules:import [FILE.json …] [--publish]`: imports rule packs (by
 * default the packs in rules/). Rules that do not exist are created; rules
 * whose pack definition differs get a draft. With --publish, what was
 * created or changed is published. Every file is checked before anything is
 * written. On the embedded database it needs the engine stopped.
 */
import {
  DEFAULT_RULE_PACKS,
  importRules,
  loadFactCatalog,
  packFiles,
  readRulePacks,
} from "../engine/rules/mod.ts";
import {
  installDefaultTemplates,
  loadTemplateChannels,
} from "../engine/interventions/templates/mod.ts";
import { declaredPluginFacts } from "../engine/plugins/mod.ts";
import { firstPartyPlugins } from "../plugins/mod.ts";
import { say } from "./output.ts";
import { runPackImport } from "./pack_import.ts";

await runPackImport({
  name: "rules:import",
  plural: "rules",
  defaultFiles: () => packFiles(DEFAULT_RULE_PACKS),
  importFiles: async (db, files, { publish, now }) => {
    // Rules name templates: a database the engine never started gets the default ones first.
    const templates = await installDefaultTemplates(db, { now });
    if (templates > 0) say(`Published the ${templates} default templates first (templates/*.json)`);
    // The engine's catalog: with the facts the enabled plugins declare.
    const pluginFacts = await declaredPluginFacts(db, {
      firstParty: firstPartyPlugins,
      directory: Deno.env.get("PLUGINS_DIR"),
    });
    const context = {
      catalog: await loadFactCatalog(db, pluginFacts),
      templates: await loadTemplateChannels(db),
    };
    const rules = await readRulePacks(files, context);
    const result = await importRules(db, rules, {
      publish,
      context,
      change: { actor: "local:cli", now },
    });
    return { items: rules.length, result };
  },
  draftHint: "Drafts run only once published: review them, then publish (or import with --publish)",
});
