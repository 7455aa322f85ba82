/**
 * `deno task rules:import [FILE.json …] [--publish]`: imports rule packs (by
 * default the packs in rules/). Rules that do not exist are created; rules
 * whose pack definition differs get a draft. With --publish, what was
 * created or changed is published. Every file is checked before anything is
 * written. On the embedded database it needs the engine stopped.
 */
import { parseArgs } from "node:util";
import { systemClock } from "../engine/clock.ts";
import { loadConfig } from "../engine/config.ts";
import { createLogger } from "../engine/log.ts";
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
import { accessDatabase } from "./database.ts";
import { runCommand, say } from "./output.ts";

await runCommand(async () => {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: { publish: { type: "boolean", default: false } },
    allowPositionals: true,
  });
  const config = loadConfig(Deno.env.toObject());
  const log = createLogger({ level: "warn" });
  const access = await accessDatabase(config, { command: "rules:import", log, viaApi: false });
  if (access.kind !== "db") throw new Error("rules:import works on the database itself");
  const db = access.db;
  try {
    const files = positionals.length > 0 ? positionals : await packFiles(DEFAULT_RULE_PACKS);
    // Rules name templates: a database the engine never started gets the default ones first.
    const templates = await installDefaultTemplates(db, { now: systemClock.now() });
    if (templates > 0) say(`Published the ${templates} default templates first (templates/*.json)`);
    const context = {
      catalog: await loadFactCatalog(db),
      templates: await loadTemplateChannels(db),
    };
    const rules = await readRulePacks(files, context);
    const result = await importRules(db, rules, {
      publish: values.publish,
      context,
      change: { actor: "local:cli", now: systemClock.now() },
    });
    say(
      `${rules.length} rules in ${files.length} file(s): ${result.created.length} created, ` +
        `${result.updated.length} with a new draft, ${result.unchanged.length} unchanged` +
        (values.publish ? `, ${result.published.length} published` : ""),
    );
    if (!values.publish && result.created.length + result.updated.length > 0) {
      say("Drafts run only once published: review them, then publish (or import with --publish)");
    }
  } finally {
    await db.close();
  }
});
