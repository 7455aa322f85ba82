/**
 * The template pages: the list of templates, the editor (new and existing),
 * its live preview and customer picker for the editor's script, and
 * rollback. Reading needs `read:rules` (as GET /api/v1/templates); every
 * write, and the preview, needs `write:templates` (as the API's).
 */
import type { Context, Hono } from "hono";
import { keepDraft, roleAllows, type Session } from "../../access/mod.ts";
import { isEngineError } from "../../errors.ts";
import {
  getTemplate,
  listTemplates,
  listTemplateVersions,
  type TemplateChannel,
  TemplateRenderer,
  type TemplateView,
} from "../../interventions/templates/mod.ts";
import { channels } from "../../rules/mod.ts";
import type { ConsoleDeps, ConsoleEnv } from "../deps.ts";
import { errorPage } from "../error_pages.tsx";
import { Layout } from "../layout.tsx";
import { requireSession } from "../session.ts";
import { findPreviewCustomers } from "../template_editor/customers.ts";
import { type FormValues, textFields, withLocale } from "../template_editor/form.ts";
import { editorIssues } from "../template_editor/issues.ts";
import { previewTemplate } from "../template_editor/preview.ts";
import { createFromForm, rollbackFromForm, saveFromForm } from "../template_editor/save.ts";
import { type EditorView, storedValues, TemplateEditorPage } from "./template_editor.tsx";
import { PreviewViews } from "./template_preview.tsx";

const LIST = "/console/templates";

const DRAFT_NOTICE = "This is what you had typed before your session ended; it is not saved " +
  "yet. Check it and save or publish it again.";

const notices: Record<string, string> = {
  created: "Created the template as a draft: nothing is sent until it is published.",
  saved: "Saved the draft. The published version is still what is sent.",
  published: "Published: this version is sent from now on.",
  rolled_back: "Rolled back: the earlier version is published again as a new version.",
};

/** Registers the template pages. */
export function registerTemplatesPage(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  const read = requireSession(deps, "read:rules");
  const write = requireSession(deps, "write:templates");
  // One renderer for the console's previews (drafts are never cached, so this holds nothing).
  const renderer = new TemplateRenderer();

  app.get("/templates", read, async (c) => {
    const cursor = c.req.query("cursor");
    const page = await listTemplates(deps.db, { limit: 100, ...(cursor ? { cursor } : {}) });
    return c.html(
      <TemplateList
        session={c.get("session")}
        templates={page.items}
        next={page.nextCursor}
        canWrite={roleAllows(c.get("session").user.role, "write:templates")}
      />,
    );
  });

  app.get("/templates/new", write, async (c) => {
    const draft = await takeDraft(c, deps, `${LIST}/new`);
    return await editor(c, deps, renderer, null, {
      values: draft ?? { name: "", description: "", channel: "email", subject: "", text: "" },
      // Nothing is typed yet: nothing to call wrong.
      ...(draft ? { notice: DRAFT_NOTICE } : { issues: [] }),
    });
  });

  app.post("/templates/new", write, async (c) => {
    const form = await c.req.parseBody();
    const values = textFields(form);
    if (form._action === "add-locale") {
      const channel = channels.find((name) => name === values.channel) ?? "email";
      return await editor(c, deps, renderer, null, localeAdded(values, channel));
    }
    try {
      const created = await createFromForm(deps.db, values, changeOf(c, deps, values.reason));
      return c.redirect(`${LIST}/${created.id}?done=created`, 303);
    } catch (error) {
      const issues = editorIssues(error) ??
        (isEngineError(error, "TEMPLATE_EXISTS")
          ? [{ field: "id", message: "another template has this id" }]
          : null);
      if (!issues) throw error;
      return await editor(c, deps, renderer, null, {
        values,
        issues,
        problem: "The template was not created: correct what is marked below.",
      }, 422);
    }
  });

  app.get("/templates/:id", read, async (c) => {
    const template = await findTemplate(deps, c.req.param("id"));
    if (!template) return notFound(c);
    const done = c.req.query("done");
    const draft = await takeDraft(c, deps, `${LIST}/${template.id}`);
    if (draft) {
      // The revision the form had: if someone changed the template meanwhile, saving conflicts.
      const revision = Number(draft.revision) || template.revision;
      return await editor(c, deps, renderer, template, {
        values: { ...storedValues(template), ...draft },
        revision,
        notice: DRAFT_NOTICE,
      });
    }
    return await editor(c, deps, renderer, template, {
      values: storedValues(template),
      ...(done && notices[done] ? { notice: notices[done] } : {}),
    });
  });

  app.post("/templates/:id", write, async (c) => {
    const template = await findTemplate(deps, c.req.param("id"));
    if (!template) return notFound(c);
    const form = await c.req.parseBody();
    const values = textFields(form);
    if (form._action === "add-locale") {
      return await editor(c, deps, renderer, template, {
        ...localeAdded(values, template.channel),
        revision: Number(values.revision) || template.revision,
      });
    }
    const publish = form._action === "publish";
    const revision = Number(values.revision);
    try {
      await saveFromForm(
        deps.db,
        template,
        { values, revision, publish },
        changeOf(c, deps, values.reason),
      );
      return c.redirect(`${LIST}/${template.id}?done=${publish ? "published" : "saved"}`, 303);
    } catch (error) {
      return await refused(c, deps, renderer, template, values, error);
    }
  });

  app.post("/templates/:id/rollback", write, async (c) => {
    const template = await findTemplate(deps, c.req.param("id"));
    if (!template) return notFound(c);
    const values = textFields(await c.req.parseBody());
    try {
      await rollbackFromForm(deps.db, template.id, {
        version: Number(values.version),
        revision: Number(values.revision),
      }, changeOf(c, deps, values.reason));
      return c.redirect(`${LIST}/${template.id}?done=rolled_back`, 303);
    } catch (error) {
      if (isEngineError(error, "VALIDATION_FAILED")) {
        const noReason = error.issues.some((issue) => issue.path === "reason");
        return await editor(c, deps, renderer, template, {
          values: storedValues(template),
          problem: noReason
            ? "Nothing was rolled back: give a reason for the rollback (it is kept in the audit " +
              "log)."
            : `Nothing was rolled back: that version no longer passes the checks. ${error.message}`,
        }, 422);
      }
      return await refused(c, deps, renderer, template, storedValues(template), error);
    }
  });

  app.post("/template-preview", write, async (c) => {
    const values = textFields(await c.req.parseBody());
    const channel = channels.find((name) => name === values.channel) ?? "email";
    const preview = await previewTemplate(deps, renderer, {
      templateId: values.template ?? "new",
      channel,
      values,
      customer: values.customer ?? "",
      locale: values.locale ?? "",
    });
    return c.json({
      customer: preview.customer,
      issues: preview.issues,
      html: await (<PreviewViews preview={preview} />).toString(),
    });
  });

  app.get("/template-customers", write, async (c) => {
    const found = await findPreviewCustomers(deps.db, c.req.query("q") ?? "", 10);
    return c.json({ customers: found });
  });
}

/** The editor page for `template` (null: a new one) with `view`'s state. */
async function editor(
  c: Context<ConsoleEnv>,
  deps: ConsoleDeps,
  renderer: TemplateRenderer,
  template: TemplateView | null,
  view: Partial<EditorView> & Pick<EditorView, "values">,
  status: 200 | 409 | 422 = 200,
) {
  const session = c.get("session");
  const canWrite = roleAllows(session.user.role, "write:templates");
  const channel = (template?.channel ??
    channels.find((name) => name === view.values.channel) ?? "email") as TemplateChannel;
  const customer = c.req.query("customer") ?? "";
  const locale = c.req.query("locale") ?? "";
  const preview = canWrite
    ? await previewTemplate(deps, renderer, {
      templateId: template?.id ?? "new",
      channel,
      values: view.values,
      customer,
      locale,
    })
    : null;
  const versions = template ? await listTemplateVersions(deps.db, template.id) : [];
  const full: EditorView = {
    template,
    channel,
    revision: template?.revision ?? null,
    versions,
    canWrite,
    customer,
    locale,
    preview,
    ...view,
    issues: view.issues ?? preview?.issues ?? [],
  };
  return c.html(<TemplateEditorPage session={session} view={full} />, status);
}

/** The editor again after a refused save, publish or rollback, saying why. */
async function refused(
  c: Context<ConsoleEnv>,
  deps: ConsoleDeps,
  renderer: TemplateRenderer,
  template: TemplateView,
  values: Record<string, string>,
  error: unknown,
) {
  const issues = editorIssues(error);
  if (issues) {
    return await editor(c, deps, renderer, template, {
      values,
      issues,
      revision: Number(values.revision) || template.revision,
      problem: "Nothing was saved: correct what is marked below.",
    }, 422);
  }
  if (isEngineError(error, "ETAG_MISMATCH")) {
    // The form now carries their revision: saving again replaces theirs, knowingly.
    const theirs = await getTemplate(deps.db, template.id);
    return await editor(c, deps, renderer, theirs, {
      values,
      conflict: theirs,
      problem: "Nothing was saved: someone else changed this template since you opened it.",
    }, 409);
  }
  if (
    isEngineError(error, "TEMPLATE_NOTHING_TO_PUBLISH") ||
    isEngineError(error, "TEMPLATE_ARCHIVED") ||
    isEngineError(error, "TEMPLATE_VERSION_NOT_FOUND")
  ) {
    return await editor(c, deps, renderer, template, {
      values,
      problem: error.message.replace(/ \(PUT\)/, ""),
    }, 409);
  }
  throw error;
}

/** The editor's state with the locale variant the form asks for added, or why it cannot be. */
function localeAdded(values: FormValues, channel: TemplateChannel) {
  const added = withLocale(values, channel, values.newLocale ?? "");
  return "problem" in added
    ? { values, issues: [{ field: "newLocale", message: added.problem }] }
    : { values: added };
}

/**
 * What the user had typed in a form of `page` when their session ended
 * (kept through sign-in, engine/console/session.ts), once: it is forgotten
 * as it is shown again.
 */
async function takeDraft(
  c: Context<ConsoleEnv>,
  deps: ConsoleDeps,
  page: string,
): Promise<Record<string, string> | null> {
  const draft = c.get("session").draft;
  if (draft?.page !== page) return null;
  await keepDraft(deps.db, c.get("sessionId"), null);
  return textFields(draft.fields);
}

async function findTemplate(deps: ConsoleDeps, id: string): Promise<TemplateView | null> {
  try {
    return await getTemplate(deps.db, id);
  } catch (error) {
    if (isEngineError(error, "TEMPLATE_NOT_FOUND")) return null;
    throw error;
  }
}

function notFound(c: Context<ConsoleEnv>) {
  return errorPage(c, 404, "Not found", `No template "${c.req.param("id")}".`);
}

function changeOf(c: Context<ConsoleEnv>, deps: ConsoleDeps, reason: string | undefined) {
  return {
    actor: c.get("actor")!.id,
    now: deps.clock.now(),
    requestId: c.get("requestId") ?? null,
    reason: reason?.trim() || null,
  };
}

function TemplateList(props: {
  session: Session;
  templates: readonly TemplateView[];
  next: string | null;
  canWrite: boolean;
}) {
  return (
    <Layout title="Templates" session={props.session} current={LIST}>
      <p>
        The messages interventions send, one template per channel. A rule names a template; the
        published version is what is sent.
      </p>
      {props.canWrite
        ? (
          <p>
            <a class="button" href={`${LIST}/new`}>New template</a>
          </p>
        )
        : null}
      <div class="table-scroll" tabindex={0} role="region" aria-label="Templates">
        <table class="templates stack-on-phone">
          <thead>
            <tr>
              <th scope="col">Template</th>
              <th scope="col">Channel</th>
              <th scope="col">Status</th>
              <th scope="col">Version</th>
              <th scope="col">Last change</th>
            </tr>
          </thead>
          <tbody>
            {props.templates.map((template) => (
              <tr>
                <th scope="row">
                  <a href={`${LIST}/${template.id}`}>{template.name}</a>
                  <br />
                  <span class="muted">{template.id}</span>
                </th>
                <td data-label="Channel">{template.channel}</td>
                <td data-label="Status">
                  {template.status}
                  {template.draft !== null && template.status !== "draft" ? ", draft edited" : ""}
                </td>
                <td data-label="Version">
                  {template.version === null ? "none" : String(template.version)}
                </td>
                <td data-label="Last change">
                  {template.updatedAt.slice(0, 16).replace("T", " ")} UTC by {template.updatedBy}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {props.next
        ? (
          <p>
            <a href={`${LIST}?cursor=${encodeURIComponent(props.next)}`}>More templates</a>
          </p>
        )
        : null}
    </Layout>
  );
}
