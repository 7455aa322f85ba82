/**
 * Template packs: templates as JSON files (the defaults in templates/*.json),
 * imported on the engine's first start and by `deno task templates:import`.
 * The same format and behaviour as rule packs: every file is read and every
 * template validated before anything is written, so a bad file changes
 * nothing.
 */
import { z } from "zod";
import type { ChangeContext } from "../../access/mod.ts";
import type { Db } from "../../db/mod.ts";
import { EngineError } from "../../errors.ts";
import { issuesOf, readPacks } from "../../packs.ts";
import { canonicalJson } from "../../hash.ts";
import { packFiles } from "../../rules/mod.ts";
import { zodIssues } from "../../validation.ts";
import {
  createTemplate,
  getTemplate,
  type TemplateMetadata,
  updateTemplateDraft,
} from "./store.ts";
import { publishTemplate } from "./publish.ts";
import { templateIdSchema } from "./template_schema.ts";
import { validateTemplateDefinition } from "./validate.ts";

/** The folder of the default packs. */
export const DEFAULT_TEMPLATE_PACKS = new URL("../../../templates/", import.meta.url);

const packSchema = z.strictObject({
  pack: z.string().min(1).max(100),
  description: z.string().max(2000).optional(),
  templates: z.array(z.strictObject({
    id: templateIdSchema,
    name: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    definition: z.unknown(),
  })).min(1),
});

/** A template read from a pack file. */
export interface PackedTemplate extends TemplateMetadata {
  id: string;
  definition: unknown;
  /** Where it came from, for messages: `templates/onboarding.json templates[2]`. */
  source: string;
}

/** What an import did. */
export interface TemplateImportResult {
  created: string[];
  updated: string[];
  unchanged: string[];
  published: string[];
}

/** The `.json` files of `folder`, in name order. */
export async function templatePackFiles(folder: URL = DEFAULT_TEMPLATE_PACKS): Promise<string[]> {
  return await packFiles(folder);
}

/**
 * Reads and checks the templates of `files` (each a pack), or
 * VALIDATION_FAILED listing every problem as `file templates[i].path`.
 */
export async function readTemplatePacks(files: readonly string[]): Promise<PackedTemplate[]> {
  return await readPacks(files, {
    noun: "template",
    parse: (json) => {
      const pack = packSchema.safeParse(json);
      return pack.success ? { items: pack.data.templates } : { issues: zodIssues(pack.error) };
    },
    // The definition's own paths start with `definition`.
    check: (template, source) =>
      issuesOf(() => validateTemplateDefinition(template.definition, ["definition"]), source),
  });
}

/**
 * Creates the templates that do not exist; for those that do, makes a
 * draft when the pack's definition, name or description differ. With
 * `publish`, what was created or changed is published too.
 */
export async function importTemplates(
  db: Db,
  templates: readonly PackedTemplate[],
  options: { publish: boolean; change: ChangeContext },
): Promise<TemplateImportResult> {
  const result: TemplateImportResult = { created: [], updated: [], unchanged: [], published: [] };
  const change = { ...options.change, reason: "imported from a template pack" };
  for (const { source: _source, id, definition, ...metadata } of templates) {
    const existing = await getTemplate(db, id).catch((error) => {
      if (error instanceof EngineError && error.code === "TEMPLATE_NOT_FOUND") return null;
      throw error;
    });
    let template;
    if (existing === null) {
      try {
        template = await createTemplate(db, { id, ...metadata, definition }, change);
      } catch (error) {
        // Another engine starting at the same moment imported it first.
        if (error instanceof EngineError && error.code === "TEMPLATE_EXISTS") {
          result.unchanged.push(id);
          continue;
        }
        throw error;
      }
      result.created.push(id);
    } else {
      const wanted = validateTemplateDefinition(definition, ["definition"]).definition;
      const current = existing.draft ?? existing.published;
      // Canonical JSON: the database gives keys back in its own order.
      const same = canonicalJson(current) === canonicalJson(wanted) &&
        existing.name === metadata.name &&
        existing.description === (metadata.description ?? "");
      if (same || existing.status === "archived") {
        result.unchanged.push(id);
        // An earlier import left this very definition as a draft: publishing was asked now.
        if (options.publish && same && existing.draft !== null) {
          await publishTemplate(db, id, existing.revision, change);
          result.published.push(id);
        }
        continue;
      }
      template = await updateTemplateDraft(
        db,
        id,
        { ...metadata, definition },
        existing.revision,
        change,
      );
      result.updated.push(id);
    }
    if (options.publish) {
      await publishTemplate(db, id, template.revision, change);
      result.published.push(id);
    }
  }
  return result;
}

/**
 * On an engine's first start (no template at all in the database): imports
 * and publishes the default packs. Returns how many templates it published.
 */
export async function installDefaultTemplates(db: Db, options: { now: Date }): Promise<number> {
  const [row] = await db.query<{ any: boolean }>("select exists (select 1 from templates) as any");
  if (row?.any) return 0;
  const templates = await readTemplatePacks(await templatePackFiles());
  const result = await importTemplates(db, templates, {
    publish: true,
    change: { actor: "system:install", now: options.now },
  });
  return result.published.length;
}
