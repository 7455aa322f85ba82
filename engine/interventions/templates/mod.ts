/**
 * Intervention templates: handlebars sources per channel (email subject,
 * HTML and text; markdown for Slack, webhook and in-app) with locale
 * variants, checked against the rendering context when saved, versioned
 * like rules (draft → publish → rollback, audited), rendered safely (an
 * isolated handlebars with only the block helpers, no prototype access,
 * HTML escaped by default, size and loop limits), and previewed for any
 * customer. The only place handlebars is imported.
 *
 * @example
 * ```ts
 * const template = await getTemplate(db, "onboarding_nudge");
 * const context = await loadTemplateContext(db, "sup_0000001", { now, publicUrl });
 * const renderer = new TemplateRenderer();
 * const message = renderer.render(
 *   { id: template.id, version: template.version, definition: template.published! },
 *   context,
 * ); // { subject: "…", html: "<p>…</p>", text: "…", locale: null }
 * ```
 */

export {
  localeKeySchema,
  type TemplateChannel,
  type TemplateDefinition,
  templateDefinitionSchema,
  templateIdSchema,
  type TemplateVariant,
} from "./template_schema.ts";
export {
  MAX_LOCALES,
  MAX_PART_BYTES,
  MAX_SUBJECT_BYTES,
  type TemplateIssue,
  type ValidatedTemplate,
  validateTemplateDefinition,
} from "./validate.ts";
export { MAX_BLOCK_DEPTH, MAX_EACH_DEPTH } from "./template_ast.ts";
export {
  MAX_LOOP_ITERATIONS,
  MAX_OUTPUT_BYTES,
  pickLocale,
  RENDER_TIME_LIMIT_MS,
  type RenderedMessage,
  type RenderLimits,
  type RenderSource,
  TemplateRenderer,
} from "./render.ts";
export {
  archiveTemplate,
  createTemplate,
  getTemplate,
  listTemplates,
  loadTemplateChannels,
  type TemplateMetadata,
  updateTemplateDraft,
} from "./store.ts";
export {
  TEMPLATES,
  type TemplateSnapshot,
  type TemplateVersion,
  type TemplateView,
} from "./template_kind.ts";
export { publishTemplate, rollbackTemplate } from "./publish.ts";
export { getTemplateVersion, listTemplateVersions } from "./versions.ts";
export {
  type ContextOptions,
  DEFAULT_LOCALE,
  loadTemplateContext,
  SUCCESS_TEAM,
} from "./context_loader.ts";
export {
  DEFAULT_TEMPLATE_PACKS,
  importTemplates,
  installDefaultTemplates,
  type PackedTemplate,
  readTemplatePacks,
  type TemplateImportResult,
  templatePackFiles,
} from "./packs.ts";
