/**
 * The template editor's page: the template's fields (name, description,
 * channel, and each part of the channel's message and of each locale
 * variant in a code editor), the variables to insert beside them, a live
 * preview for a chosen customer, and the published versions with their
 * diffs and rollback. Roles that cannot write templates see it read-only.
 */
import type {
  TemplateChannel,
  TemplateVersion,
  TemplateView,
} from "../../interventions/templates/mod.ts";
import type { Session } from "../../access/mod.ts";
import { channels } from "../../rules/mod.ts";
import { Choice, Field, FormContext } from "../forms.tsx";
import { Layout } from "../layout.tsx";
import { CodeEditor, LineEditor } from "../template_editor/code_editor.tsx";
import {
  type FormValues,
  formValuesOf,
  localesOf,
  partField,
  type PartName,
  partsOf,
} from "../template_editor/form.ts";
import { type EditorIssue, issuesOf } from "../template_editor/issues.ts";
import type { TemplatePreview } from "../template_editor/preview.ts";
import { insertableVariables } from "../template_editor/variables.ts";
import { PartsDiff, TemplateHistory } from "./template_history.tsx";
import { PreviewViews } from "./template_preview.tsx";

/** Everything the editor shows. */
export interface EditorView {
  /** The template as stored; null for a new one. */
  template: TemplateView | null;
  channel: TemplateChannel;
  /** The fields as typed (or as stored). */
  values: FormValues;
  /** The revision the form started from (If-Match's). */
  revision: number | null;
  issues: EditorIssue[];
  notice?: string;
  problem?: string;
  /** A save refused because someone changed the template since: theirs. */
  conflict?: TemplateView;
  preview: TemplatePreview | null;
  customer: string;
  locale: string;
  versions: readonly TemplateVersion[];
  canWrite: boolean;
}

const partLabels: Record<PartName, string> = {
  subject: "Subject",
  html: "HTML part",
  text: "Text",
};

const textLabels: Record<TemplateChannel, string> = {
  email: "Text part",
  slack: "Slack message (mrkdwn)",
  webhook: "Webhook body (markdown)",
  "in-app": "In-app message (markdown)",
};

/** The editor page of `view`. */
export function TemplateEditorPage(props: { session: Session; view: EditorView }) {
  const { session, view } = props;
  const template = view.template;
  const page = template ? `/console/templates/${template.id}` : "/console/templates/new";
  const title = template ? `Template: ${template.name}` : "New template";
  const error = (field: string) => {
    const found = issuesOf(view.issues, field).map((issue) => issue.message);
    return found.length > 0 ? found.join("; ") : undefined;
  };
  return (
    <Layout
      title={title}
      session={session}
      current="/console/templates"
      scripts={["template_editor.js"]}
    >
      <p>
        <a href="/console/templates">All templates</a>
        {template
          ? (
            <span class="muted">
              {` · ${template.id} · ${template.channel} · ${template.status}` +
                (template.status === "archived"
                  ? ": nothing of it is sent (roll back to a version to send it again)"
                  : template.version === null
                  ? ""
                  : ` · version ${template.version} is sent`)}
            </span>
          )
          : null}
      </p>
      {view.notice ? <p class="notice" role="status">{view.notice}</p> : null}
      {view.problem ? <p class="error-summary" role="alert">{view.problem}</p> : null}
      {view.conflict ? <Conflict theirs={view.conflict} yours={view.values} /> : null}
      {view.canWrite ? null : (
        <p class="notice">
          Your role can read templates but not change them: the editor is read-only.
        </p>
      )}
      <div class="editor-grid">
        <form
          method="post"
          action={page}
          id="template-form"
          class="editor-main"
          novalidate
          data-preview={view.canWrite ? "/console/template-preview" : undefined}
          data-template={template?.id ?? "new"}
        >
          <FormContext csrf={session.csrfToken} page={page} />
          {view.revision === null
            ? null
            : <input type="hidden" name="revision" value={String(view.revision)} />}
          <ul class="editor-issues" data-issues-for="*" aria-live="polite">
            {otherIssues(view).map((issue) => (
              <li class="error">{`${issue.field}: ${issue.message}`}</li>
            ))}
          </ul>
          {template ? null : (
            <Field
              name="id"
              label="Id"
              idPrefix="tpl"
              value={view.values.id}
              error={error("id")}
              hint="What rules name: lower-case letters, digits, _ and - (e.g. venue_open_day)"
            />
          )}
          {view.canWrite
            ? (
              <>
                <Field
                  name="name"
                  label="Name"
                  idPrefix="tpl"
                  value={view.values.name}
                  error={error("name")}
                />
                <Field
                  name="description"
                  label="Description"
                  idPrefix="tpl"
                  value={view.values.description}
                  error={error("description")}
                />
              </>
            )
            : <p>{view.values.description}</p>}
          {template
            ? (
              <p>
                Channel: <strong>{template.channel}</strong>{" "}
                <span class="muted">(fixed: rules send the template on it)</span>
                <input type="hidden" name="channel" value={template.channel} />
              </p>
            )
            : (
              <Choice
                name="channel"
                label="Channel"
                idPrefix="tpl"
                options={channels}
                value={view.channel}
                error={error("channel")}
              />
            )}
          <Parts view={view} locale={null} />
          {localesOf(view.values).map((locale) => (
            <details class="locale" open={unfolded(view, locale)}>
              <summary>Locale variant {locale}</summary>
              <p class="hint">
                Sent to customers whose locale is {locale}; empty all its parts to remove it.
              </p>
              <Parts view={view} locale={locale} />
            </details>
          ))}
          {view.canWrite
            ? (
              <div class="editor-actions">
                <Field
                  name="reason"
                  label="Reason"
                  idPrefix="tpl"
                  value={view.values.reason}
                  error={error("reason")}
                  hint="Needed to publish; kept in the audit log with the change"
                />
                <div class="buttons">
                  <button type="submit" name="_action" value="save">Save draft</button>
                  {template
                    ? <button type="submit" name="_action" value="publish">Publish</button>
                    : null}
                </div>
              </div>
            )
            : null}
          {view.canWrite
            ? (
              <div class="add-locale">
                <Field
                  name="newLocale"
                  label="Add a locale variant"
                  idPrefix="tpl"
                  value=""
                  error={error("newLocale")}
                  hint="A language like de, or a language and region like en-GB"
                />
                <button type="submit" name="_action" value="add-locale" class="secondary">
                  Add variant
                </button>
              </div>
            )
            : null}
        </form>
        <div class="editor-side">
          <Variables />
          {view.canWrite ? <PreviewSection view={view} page={page} /> : null}
        </div>
      </div>
      {template
        ? (
          <>
            <h2 id="history">Versions</h2>
            <TemplateHistory
              templateId={template.id}
              versions={view.versions}
              current={template.version}
              revision={view.revision ?? template.revision}
              csrf={session.csrfToken}
              canWrite={view.canWrite}
              page={page}
            />
          </>
        )
        : null}
    </Layout>
  );
}

/** Whether a locale variant is shown unfolded: it has a problem, or nothing is written in it yet. */
function unfolded(view: EditorView, locale: string): boolean {
  const prefix = `locales.${locale}.`;
  return view.issues.some((issue) => issue.field.startsWith(prefix)) ||
    partsOf(view.channel).every((part) => (view.values[prefix + part] ?? "").trim() === "");
}

/** The issues of no field the page shows (of the whole definition, of a locale). */
function otherIssues(view: EditorView): EditorIssue[] {
  const shown = new Set(["id", "name", "description", "channel", "reason", "newLocale"]);
  for (const locale of [null, ...localesOf(view.values)]) {
    for (const part of partsOf(view.channel)) shown.add(partField(locale, part));
  }
  return view.issues.filter((issue) => !shown.has(issue.field));
}

/** The code editors of one variant (the base, or a locale's). */
function Parts(props: { view: EditorView; locale: string | null }) {
  const { view, locale } = props;
  // A new template's channel can still change: its email parts are there, hidden when the
  // channel is another (the editor's script shows them again; the server ignores them then).
  const shown = view.template === null ? partsOf("email") : partsOf(view.channel);
  return (
    <>
      {shown.map((part) => {
        const name = partField(locale, part);
        const issues = issuesOf(view.issues, name);
        const editor = part === "subject"
          ? (
            <LineEditor
              name={name}
              label={partLabels.subject}
              value={view.values[name] ?? ""}
              issues={issues}
              readOnly={!view.canWrite}
            />
          )
          : (
            <CodeEditor
              name={name}
              label={part === "text" ? textLabels[view.channel] : partLabels[part]}
              value={view.values[name] ?? ""}
              issues={issues}
              readOnly={!view.canWrite}
              {...(part === "html" ? { hint: "Optional; values are HTML-escaped" } : {})}
            />
          );
        if (part === "text") return editor;
        return (
          <div data-email-only="" hidden={view.channel !== "email"}>
            {editor}
          </div>
        );
      })}
    </>
  );
}

/** The variables to insert, beside the editor. */
function Variables() {
  return (
    <aside class="variables" aria-labelledby="variables-heading">
      <h2 id="variables-heading">Variables</h2>
      <p class="hint">Press one to insert it where the cursor is in the editor.</p>
      <ul>
        {insertableVariables.map((variable) => (
          <li>
            <button type="button" class="insert" data-insert={variable.snippet}>
              <code>{variable.snippet}</code>
            </button>
            <span class="muted">{variable.description}</span>
          </li>
        ))}
      </ul>
    </aside>
  );
}

/** The customer picker and the rendered preview. */
function PreviewSection(props: { view: EditorView; page: string }) {
  const { view } = props;
  const locales = localesOf(view.values);
  return (
    <section class="preview" aria-labelledby="preview-heading">
      <h2 id="preview-heading">Preview</h2>
      <form method="get" action={props.page} class="preview-picker" id="preview-picker">
        <Field
          name="customer"
          label="Customer (name or id)"
          idPrefix="preview"
          value={view.customer}
          list="preview-customers"
          hint="The first customer when empty"
          autocomplete="off"
        />
        <div class="field">
          <label for="preview-locale">Locale</label>
          <select id="preview-locale" name="locale">
            <option value="">The customer's</option>
            {locales.map((locale) => (
              <option value={locale} selected={locale === view.locale}>{locale}</option>
            ))}
          </select>
        </div>
        <button type="submit">Show preview</button>
        <datalist id="preview-customers"></datalist>
      </form>
      <p id="preview-status" class="visually-hidden" role="status"></p>
      <div id="preview-views" aria-busy="false">
        {view.preview ? <PreviewViews preview={view.preview} /> : null}
      </div>
    </section>
  );
}

/** A save refused: their version, and how yours differs from it. */
function Conflict(props: { theirs: TemplateView; yours: FormValues }) {
  const { theirs } = props;
  const definition = theirs.draft ?? theirs.published;
  const theirValues = definition ? formValuesOf(definition) : {};
  const yours: FormValues = {};
  for (const field of Object.keys(theirValues)) yours[field] = props.yours[field] ?? "";
  return (
    <section class="conflict" aria-labelledby="conflict-heading">
      <h2 id="conflict-heading">Someone else changed this template</h2>
      <p>
        {theirs.updatedBy} changed it at {theirs.updatedAt.slice(0, 16).replace("T", " ")}{" "}
        UTC, after you opened it, so your change was not saved. Your text is still in the form
        below. Here is how theirs (revision{" "}
        {theirs.revision}, name “{theirs.name}”) differs from yours: lines marked − are theirs only,
        + yours only. Save again to replace theirs with yours, or reload the page to start from
        theirs.
      </p>
      <PartsDiff before={theirValues} after={yours} caption="Their version against yours" />
    </section>
  );
}

/** The form's values of a stored template: its draft, else its published version. */
export function storedValues(template: TemplateView): FormValues {
  const definition = template.draft ?? template.published;
  return {
    name: template.name,
    description: template.description,
    ...(definition ? formValuesOf(definition) : {}),
  };
}
