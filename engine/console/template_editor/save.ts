/**
 * What the editor's buttons do, through the store functions the API uses
 * (so the same checks, revisions and audit entries apply): create a draft,
 * save the draft, publish (saving what was typed first when it differs from
 * the stored draft), roll back. The name, description and reason are
 * checked here with the API's limits; the definition by the template
 * module, and all problems are reported together.
 */
import type { DocumentChange } from "../../versioned/mod.ts";
import { EngineError, type FieldIssue } from "../../errors.ts";
import {
  createTemplate,
  publishTemplate,
  rollbackTemplate,
  type TemplateChannel,
  templateIdSchema,
  type TemplateView,
  updateTemplateDraft,
  validateTemplateDefinition,
} from "../../interventions/templates/mod.ts";
import type { Db } from "../../db/mod.ts";
import { definitionOf, type FormValues, formValuesOf } from "./form.ts";

/** Longest reason, as the API allows. */
const MAX_REASON = 1000;

/** Creates the template the new-template form describes, as a draft. */
export async function createFromForm(
  db: Db,
  values: FormValues,
  change: DocumentChange,
): Promise<TemplateView> {
  const channel = values.channel as TemplateChannel;
  const definition = definitionOf(channel, values);
  const issues = metadataIssues(values, false);
  const id = templateIdSchema.safeParse(values.id ?? "");
  if (!id.success) issues.unshift({ path: "id", message: id.error.issues[0]!.message });
  assertValid(issues, definition);
  return await createTemplate(db, {
    id: id.data!,
    name: values.name!.trim(),
    description: values.description?.trim() ?? "",
    definition,
  }, change);
}

/**
 * Saves the form as the template's draft; with `publish`, publishes it
 * too (saving first only when the form differs from what is stored). The
 * revision is the one the form started from: a stale one is ETAG_MISMATCH.
 */
export async function saveFromForm(
  db: Db,
  template: TemplateView,
  form: { values: FormValues; revision: number; publish: boolean },
  change: DocumentChange,
): Promise<TemplateView> {
  const { values } = form;
  const definition = definitionOf(template.channel, values);
  assertValid(metadataIssues(values, form.publish), definition);
  const metadata = { name: values.name!.trim(), description: values.description?.trim() ?? "" };
  let revision = form.revision;
  if (!form.publish || differs(template, metadata, formValuesOf(definition))) {
    const saved = await updateTemplateDraft(
      db,
      template.id,
      { ...metadata, definition },
      revision,
      change,
    );
    if (!form.publish) return saved;
    revision = saved.revision;
  }
  return await publishTemplate(db, template.id, revision, change);
}

/** Rolls the template back to `version` (a reason is required). */
export async function rollbackFromForm(
  db: Db,
  id: string,
  form: { version: number; revision: number },
  change: DocumentChange,
): Promise<TemplateView> {
  const issues = reasonIssues(change.reason ?? "", true);
  if (issues.length > 0) throw invalid(issues);
  return await rollbackTemplate(db, id, form.version, form.revision, change);
}

function metadataIssues(values: FormValues, publish: boolean): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const name = values.name?.trim() ?? "";
  if (name === "") issues.push({ path: "name", message: "is required: what the team calls it" });
  if (name.length > 200) issues.push({ path: "name", message: "is longer than 200 characters" });
  if ((values.description?.trim() ?? "").length > 2000) {
    issues.push({ path: "description", message: "is longer than 2000 characters" });
  }
  return [...issues, ...reasonIssues(values.reason?.trim() ?? "", publish)];
}

function reasonIssues(reason: string, required: boolean): FieldIssue[] {
  if (required && reason === "") {
    return [{ path: "reason", message: "is required: say why, it is kept in the audit log" }];
  }
  if (reason.length > MAX_REASON) {
    return [{ path: "reason", message: `is longer than ${MAX_REASON} characters` }];
  }
  return [];
}

/** Throws every problem of the form and the definition together, if any. */
function assertValid(issues: FieldIssue[], definition: unknown): void {
  try {
    validateTemplateDefinition(definition, ["definition"]);
  } catch (error) {
    if (!(error instanceof EngineError) || error.code !== "VALIDATION_FAILED") throw error;
    issues.push(...error.issues);
  }
  if (issues.length > 0) throw invalid(issues);
}

function invalid(issues: readonly FieldIssue[]): EngineError {
  const first = issues[0]!;
  return new EngineError("VALIDATION_FAILED", `Invalid template: ${first.path}: ${first.message}`, {
    issues,
  });
}

/** Whether the form says something else than the stored draft (else the published version). */
function differs(
  template: TemplateView,
  metadata: { name: string; description: string },
  parts: FormValues,
): boolean {
  if (metadata.name !== template.name || metadata.description !== template.description) {
    return true;
  }
  const definition = template.draft ?? template.published;
  const stored = definition ? formValuesOf(definition) : {};
  const keys = new Set([...Object.keys(stored), ...Object.keys(parts)]);
  return [...keys].some((key) => (stored[key] ?? "") !== (parts[key] ?? ""));
}
