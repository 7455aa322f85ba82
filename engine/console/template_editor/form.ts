/**
 * The template editor's form and a template's definition, both ways: each
 * part of each variant is one field (`subject`, `html`, `text`,
 * `locales.de.text`), so a validation issue's path names the field it
 * belongs to and what was typed goes back into the same fields.
 */
import {
  localeKeySchema,
  type TemplateChannel,
  type TemplateDefinition,
  type TemplateVariant,
} from "../../interventions/templates/mod.ts";

/** A part of a variant, in the order the editor shows them. */
export type PartName = "subject" | "html" | "text";

/** The form's text fields by name, as typed (line breaks as `\n`). */
export type FormValues = Record<string, string>;

/** The parts a channel's message has: email a subject, an optional HTML part and text. */
export function partsOf(channel: TemplateChannel): PartName[] {
  return channel === "email" ? ["subject", "html", "text"] : ["text"];
}

/** The field of a part: `text`, or `locales.de.text` for a locale's. */
export function partField(locale: string | null, part: PartName): string {
  return locale === null ? part : `locales.${locale}.${part}`;
}

/** The locale keys the form's fields name, sorted. */
export function localesOf(values: FormValues): string[] {
  const keys = new Set<string>();
  for (const name of Object.keys(values)) {
    const match = /^locales\.([^.]+)\.(subject|html|text)$/.exec(name);
    if (match) keys.add(match[1]!);
  }
  return [...keys].sort();
}

/** The form's fields of `definition`. */
export function formValuesOf(definition: TemplateDefinition): FormValues {
  const values: FormValues = {};
  const variants: Array<[string | null, TemplateVariant]> = [
    [null, definition],
    ...Object.entries(definition.locales ?? {}),
  ];
  for (const [locale, variant] of variants) {
    for (const part of partsOf(definition.channel)) {
      values[partField(locale, part)] = variant[part] ?? "";
    }
  }
  return values;
}

/**
 * The definition the form describes, for validation (which says what is
 * wrong with it). An empty HTML part is left out (it is optional), and so
 * is an empty subject, which validation then calls missing; a locale whose
 * parts are all empty is removed.
 */
export function definitionOf(channel: TemplateChannel, values: FormValues): TemplateDefinition {
  const variant = (locale: string | null) => {
    const parts: Partial<Record<PartName, string>> = {};
    for (const part of partsOf(channel)) {
      const text = values[partField(locale, part)] ?? "";
      if (part === "text" || text.trim() !== "") parts[part] = text;
    }
    return parts as { subject?: string; html?: string; text: string };
  };
  const definition: TemplateDefinition = { channel, ...variant(null) };
  const locales: NonNullable<TemplateDefinition["locales"]> = {};
  for (const locale of localesOf(values)) {
    const parts = partsOf(channel).map((part) => values[partField(locale, part)] ?? "");
    if (parts.some((text) => text.trim() !== "")) locales[locale] = variant(locale);
  }
  if (Object.keys(locales).length > 0) definition.locales = locales;
  return definition;
}

/**
 * The form with an empty locale variant `key` added (the fields the editor shows for it), or the
 * problem with the key. Nothing is saved: the variant is kept once something is written in it.
 */
export function withLocale(
  values: FormValues,
  channel: TemplateChannel,
  key: string,
): FormValues | { problem: string } {
  const parsed = localeKeySchema.safeParse(key.trim());
  if (!parsed.success) return { problem: parsed.error.issues[0]!.message };
  if (localesOf(values).includes(parsed.data)) {
    return { problem: `there is a ${parsed.data} variant already` };
  }
  const added: FormValues = { ...values, newLocale: "" };
  for (const part of partsOf(channel)) added[partField(parsed.data, part)] = "";
  return added;
}

/** The form's text fields (not `_csrf` and the like), with line breaks as `\n`. */
export function textFields(form: Record<string, unknown>): FormValues {
  const fields: FormValues = {};
  for (const [name, value] of Object.entries(form)) {
    if (typeof value === "string" && !name.startsWith("_")) {
      fields[name] = value.replace(/\r\n?/g, "\n");
    }
  }
  return fields;
}

/** The field an issue's path (`definition.locales.de.html`, `draft.text`) is about. */
export function fieldOfIssue(path: string): string {
  return path.replace(/^(definition|draft)\.?/, "") || "text";
}

/** The element id of field `name` (`tpl-locales-de-html`). */
export function fieldId(name: string): string {
  return `tpl-${name.replace(/[^A-Za-z0-9_-]/g, "-")}`;
}
