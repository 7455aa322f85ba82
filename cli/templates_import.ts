/**
 * `deno task templates:import [FILE.json …] [--publish]`: imports template
 * packs (by default the packs in templates/). Templates that do not exist
 * are created; templates whose pack definition differs get a draft. With
 * --publish, what was created or changed is published. Every file is
 * checked before anything is written. On the embedded database it needs the
 * engine stopped.
 */
import { parseArgs } from "node:util";
import { systemClock } from "../engine/clock.ts";
import { loadConfig } from "../engine/config.ts";
import { createLogger } from "../engine/log.ts";
import {
  importTemplates,
  readTemplatePacks,
  templatePackFiles,
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
  const access = await accessDatabase(config, { command: "templates:import", log, viaApi: false });
  if (access.kind !== "db") throw new Error("templates:import works on the database itself");
  const db = access.db;
  try {
    const files = positionals.length > 0 ? positionals : await templatePackFiles();
    const templates = await readTemplatePacks(files);
    const result = await importTemplates(db, templates, {
      publish: values.publish,
      change: { actor: "local:cli", now: systemClock.now() },
    });
    say(
      `${templates.length} templates in ${files.length} file(s): ${result.created.length} ` +
        `created, ${result.updated.length} with a new draft, ${result.unchanged.length} unchanged` +
        (values.publish ? `, ${result.published.length} published` : ""),
    );
    if (!values.publish && result.created.length + result.updated.length > 0) {
      say("Drafts are sent only once published: preview them, then publish (or --publish)");
    }
  } finally {
    await db.close();
  }
});
