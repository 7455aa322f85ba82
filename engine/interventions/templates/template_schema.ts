/**
 * The template format: per channel, handlebars sources for a subject (email),
 * an HTML part (email) and a text part (email's plain text; the markdown
 * body of Slack, webhook and in-app messages), with optional variants per
 * locale. This is only the shape; whether the sources compile and name
 * known variables is checked in validate.ts.
 */
import { z } from "zod";
import { channels } from "../../rules/mod.ts";

/**
 * A template's id: the key a rule's intervention names (`onboarding_nudge`).
 * The rule id's form, with `_` allowed because the template keys use it.
 */
export const templateIdSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,79}$/, {
  error: "must be lower-case letters, digits, '_' and '-', at most 80 (e.g. onboarding_nudge)",
});

/** A locale key: a language (`de`), optionally with a region (`en-GB`, `es-419`). */
export const localeKeySchema = z.string().regex(/^[a-z]{2,3}(-([A-Z]{2}|[0-9]{3}))?$/, {
  error: "must be a language like de, or a language and region like en-GB",
});

/** The parts of one variant: subject and html for email only; text always. */
const variantShape = {
  subject: z.string().optional(),
  html: z.string().optional(),
  text: z.string(),
};

/** A locale's variant of the message; it replaces the base parts as a whole. */
export const templateVariantSchema = z.strictObject(variantShape);

/** A template's definition, as stored in a draft or a version. */
export const templateDefinitionSchema = z.strictObject({
  channel: z.enum(channels),
  ...variantShape,
  locales: z.record(localeKeySchema, templateVariantSchema).optional(),
});

/** A template's definition. */
export type TemplateDefinition = z.output<typeof templateDefinitionSchema>;

/** One variant: the base parts of a definition or a locale's. */
export type TemplateVariant = z.output<typeof templateVariantSchema>;

/** A channel a template is written for. */
export type TemplateChannel = TemplateDefinition["channel"];

/** The names of a variant's parts, in the order they are checked and shown. */
export const partNames = ["subject", "html", "text"] as const;

/** A part of a variant. */
export type PartName = typeof partNames[number];
