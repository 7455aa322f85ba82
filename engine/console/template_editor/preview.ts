/**
 * The editor's live preview: what is typed, validated and rendered for a
 * chosen customer by the engine's own code — validateTemplateDefinition,
 * loadTemplateContext and TemplateRenderer, exactly what
 * POST /api/v1/templates/{id}/preview uses — but for the text in the form,
 * before it is saved.
 */
import { isEngineError } from "../../errors.ts";
import {
  loadTemplateContext,
  type RenderedMessage,
  type TemplateChannel,
  type TemplateRenderer,
  validateTemplateDefinition,
} from "../../interventions/templates/mod.ts";
import type { ConsoleDeps } from "../deps.ts";
import { findPreviewCustomers, type PickedCustomer } from "./customers.ts";
import { definitionOf, type FormValues } from "./form.ts";
import { type EditorIssue, editorIssues } from "./issues.ts";

/** What to preview: the form's parts, for which customer and locale. */
export interface PreviewRequest {
  templateId: string;
  channel: TemplateChannel;
  values: FormValues;
  /** A customer's id or (part of) a name; the first customer when empty. */
  customer: string;
  /** A locale to render instead of the customer's; empty: the customer's. */
  locale: string;
}

/** The preview: the problems of the typed template, or its rendering. */
export interface TemplatePreview {
  channel: TemplateChannel;
  customer: PickedCustomer | null;
  issues: EditorIssue[];
  message: RenderedMessage | null;
  /** Why nothing was rendered besides the issues (no such customer, a render limit). */
  problem: string | null;
}

/** Validates the typed template and renders it for the customer asked for. */
export async function previewTemplate(
  deps: Pick<ConsoleDeps, "db" | "clock" | "config">,
  renderer: TemplateRenderer,
  request: PreviewRequest,
): Promise<TemplatePreview> {
  const { channel } = request;
  const [customer] = await findPreviewCustomers(deps.db, request.customer, 1);
  let checked;
  try {
    checked = validateTemplateDefinition(definitionOf(channel, request.values), ["definition"]);
  } catch (error) {
    const issues = editorIssues(error);
    if (!issues) throw error;
    return { channel, customer: customer ?? null, issues, message: null, problem: null };
  }
  if (!customer) {
    const problem = request.customer.trim() === ""
      ? "There is no customer yet to preview the template for."
      : `No customer has the id or a name containing "${request.customer.trim()}".`;
    return { channel, customer: null, issues: [], message: null, problem };
  }
  const context = await loadTemplateContext(deps.db, customer.id, {
    now: deps.clock.now(),
    publicUrl: deps.config.PUBLIC_URL,
  });
  try {
    const message = renderer.render(
      { id: request.templateId, version: null, definition: checked.definition },
      context,
      { locale: request.locale.trim() || undefined },
    );
    return { channel, customer, issues: [], message, problem: null };
  } catch (error) {
    if (!isEngineError(error, "TEMPLATE_RENDER_FAILED")) throw error;
    return { channel, customer, issues: [], message: null, problem: error.message };
  }
}
