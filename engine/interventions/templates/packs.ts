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
import { EngineError, type FieldIssue } from "../../errors.ts";
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
  const issues: FieldIssue[] = [];
  const templates: PackedTemplate[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    let json: unknown;
    try {
      json = JSON.parse(await Deno.readTextFile(file));
    } catch (error) {
      const reason = error instanceof Deno.errors.NotFound
        ? "no such file"
        : error instanceof SyntaxError
        ? `not valid JSON (${error.message})`
        : String(error);
      issues.push({ path: file, message: reason });
      continue;
    }
    const pack = packSchema.safeParse(json);
    if (!pack.success) {
      for (const issue of zodIssues(pack.error)) {
        issues.push({ path: `${file}: ${issue.path}`, message: issue.message });
      }
      continue;
    }
    pack.data.templates.forEach((template, i) => {
      const source = `${file} templates[${i}]`;
      const first = seen.get(template.id);
      if (first) {
        issues.push({ path: `${source}.id`, message: `"${template.id}" is also ${first}` });
      }
      seen.set(template.id, source);
      try {
        validateTemplateDefinition(template.definition, ["definition"]);
      } catch (error) {
        if (!(error instanceof EngineError)) throw error;
        for (const issue of error.issues) {
          issues.push({ ...issue, path: `${source}.${issue.path}` });
        }
        return;
      }
      templates.push({ ...template, source });
    });
  }
  if (issues.length > 0) {
    throw new EngineError(
      "VALIDATION_FAILED",
      `The template packs are not valid; nothing was imported. ${issues[0]!.path}: ${
        issues[0]!.message
      }${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ""}`,
      { issues },
    );
  }
  return templates;
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
