/**
 * The builder's form as sent: the rule's metadata, its definition as one
 * JSON field (the visual editor keeps it in step), the revision the editor
 * started from, the publishing reason, and what to do. Checked here as the
 * API checks the same fields, so the page can show each error beside its
 * field before the store is asked.
 */
import { z } from "zod";
import { ruleIdSchema } from "../../rules/mod.ts";
import type { FieldErrors } from "../forms.tsx";

/** What the form asks for. */
export type RuleAction = "save" | "publish" | "simulate" | "apply";

/** Which editor was in front: the visual one or the JSON text. */
export type EditorView = "visual" | "json";

/** The form's text fields, as typed. */
export type RuleFormValues = Record<string, string>;

const RESERVED_IDS = ["new", "validate"];

const metadataSchema = z.object({
  name: z.string().trim().min(1, { error: "is required: a name people recognize" }).max(200),
  description: z.string().max(2000),
  owner: z.string().max(200),
});

const reasonSchema = z.string().trim().min(1, {
  error: "is required to publish: say why, for the history and the audit log",
}).max(1000);

/** The text fields of a posted form (the `_csrf` and `_page` aside). */
export function ruleFormValues(form: Record<string, unknown>): RuleFormValues {
  const values: RuleFormValues = {};
  for (const [name, value] of Object.entries(form)) {
    if (typeof value === "string" && !name.startsWith("_")) values[name] = value;
  }
  return values;
}

/** The action the form asks for; saving when it names none. */
export function actionOf(values: RuleFormValues): RuleAction {
  const action = values.action;
  return action === "publish" || action === "simulate" || action === "apply" ? action : "save";
}

/** The editor that was in front. */
export function viewOf(values: RuleFormValues): EditorView {
  return values.view === "json" ? "json" : "visual";
}

/** What is wrong with the metadata (and the id of a new rule, the reason to publish). */
export function metadataErrors(
  values: RuleFormValues,
  options: { isNew: boolean; publishing: boolean },
): FieldErrors {
  const errors: FieldErrors = {};
  const checked = metadataSchema.safeParse({
    name: values.name ?? "",
    description: values.description ?? "",
    owner: values.owner ?? "",
  });
  if (!checked.success) {
    for (const issue of checked.error.issues) errors[String(issue.path[0])] ??= issue.message;
  }
  if (options.isNew) {
    const id = ruleIdSchema.safeParse(values.id ?? "");
    if (!id.success) errors.id = id.error.issues[0]!.message;
    // /console/rules/new and /validate are the builder's own addresses.
    else if (RESERVED_IDS.includes(id.data)) {
      errors.id = `"${id.data}" is reserved by the console: choose another id`;
    }
  }
  if (options.publishing) {
    const reason = reasonSchema.safeParse(values.reason ?? "");
    if (!reason.success) errors.reason = reason.error.issues[0]!.message;
  }
  return errors;
}

/** The metadata as the store takes it. */
export function metadataOf(values: RuleFormValues) {
  const owner = (values.owner ?? "").trim();
  return {
    name: (values.name ?? "").trim(),
    description: values.description ?? "",
    owner: owner === "" ? null : owner,
  };
}

/** A definition as the JSON view shows it. */
export function definitionText(definition: unknown): string {
  return JSON.stringify(definition, null, 2);
}
