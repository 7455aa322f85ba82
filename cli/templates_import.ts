/**
 * `deno task templates:import [FILE.json …] [--publish]`: imports template
 * packs (by default the packs in templates/). Templates that do not exist
 * are created; templates whose pack definition differs get a draft. With
 * --publish, what was created or changed is published. Every file is
 * checked before anything is written. On the embedded database it needs the
 * engine stopped.
 */
import {
  importTemplates,
  readTemplatePacks,
  templatePackFiles,
} from "../engine/interventions/templates/mod.ts";
import { runPackImport } from "./pack_import.ts";

await runPackImport({
  name: "templates:import",
  plural: "templates",
  defaultFiles: templatePackFiles,
  importFiles: async (db, files, { publish, now }) => {
    const templates = await readTemplatePacks(files);
    const result = await importTemplates(db, templates, {
      publish,
      change: { actor: "local:cli", now },
    });
    return { items: templates.length, result };
  },
  draftHint: "Drafts are sent only once published: preview them, then publish (or --publish)",
});
