/**
 * The rule builder: a new rule (/rules/new) or an existing one (/rules/:id),
 * edited visually or as JSON, validated as typed (POST /rules/validate, the
 * engine's own validation), simulated before publishing, saved as a draft or
 * published with a reason, through the store functions the API uses, so the
 * audit log gets the same entries. The form carries the revision it started
 * from: a save over someone else's change shows both versions (conflict.tsx).
 */
import type { Context, Hono } from "hono";
import { keepDraft, roleAllows } from "../../access/mod.ts";
import { isEngineError } from "../../errors.ts";
import {
  approvalsRequired,
  createRule,
  getRule,
  listChangeRequests,
  publishRule,
  requestPublish,
  type RuleDefinition,
  type RuleView,
  updateRuleDraft,
  validateRuleDefinition,
} from "../../rules/mod.ts";
import type { ConsoleDeps, ConsoleEnv } from "../deps.ts";
import { issuesOf } from "../engine_errors.ts";
import { errorPage } from "../error_pages.tsx";
import { requireSession } from "../session.ts";
import { ruleContextOf } from "../rule_builder/context.ts";
import { contentOf } from "../rule_builder/conflict.tsx";
import { type EditorPage, ruleEditorPage } from "../rule_builder/editor_page.tsx";
import {
  actionOf,
  definitionText,
  metadataErrors,
  metadataOf,
  type RuleFormValues,
  ruleFormValues,
  viewOf,
} from "../rule_builder/form.ts";
import { parseJsonText } from "../rule_builder/json_text.ts";
import { NEW_RULE_DEFINITION, relativeIssues } from "../rule_builder/model.ts";
import { simulateRule } from "../rule_builder/simulation.tsx";

const notices: Record<string, string> = {
  created: "The rule is saved as a draft: nothing of it runs until it is published.",
  saved: "The draft is saved: the published version (if any) runs until you publish.",
  published: "Published: the new version runs from the next cycle on.",
  requested: "Sent for approval: someone else with publish rights must approve it before it runs.",
  approved: "Approved: the new version runs from the next cycle on.",
  rejected: "Rejected: the draft stays as it was, unpublished.",
  decided: "That change was decided or superseded already; the page shows the rule as it is.",
};

/** Registers the builder's pages and its validation endpoint. */
export function registerRuleEditor(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  const write = requireSession(deps, "write:rules");
  const read = requireSession(deps, "read:rules");

  app.post("/rules/validate", write, async (c) => {
    const values = ruleFormValues(await c.req.parseBody());
    const parsed = parseJsonText(values.definition ?? "");
    if (!parsed.ok) return c.json({ parseError: parsed, issues: [] });
    try {
      validateRuleDefinition(parsed.value, await ruleContextOf(deps.db, deps));
      return c.json({ issues: [] });
    } catch (error) {
      const issues = issuesOf(error);
      if (!issues) throw error;
      return c.json({ issues: relativeIssues(issues) });
    }
  });

  app.get("/rules/new", write, async (c) => {
    const values = {
      name: "",
      description: "",
      owner: c.get("session").user.email,
      id: "",
      definition: definitionText(NEW_RULE_DEFINITION),
    };
    return await show(c, deps, null, { values, ...await keptDraft(c, deps, "/console/rules/new") });
  });

  app.get("/rules/:id", read, async (c) => {
    const rule = await ruleOr404(deps, c.req.param("id"));
    if (!rule) return notFound(c);
    const page = `/console/rules/${rule.id}`;
    const done = notices[c.req.query("done") ?? ""];
    return await show(c, deps, rule, {
      values: valuesOf(rule),
      ...(done ? { notice: done } : {}),
      ...await keptDraft(c, deps, page),
    });
  });

  app.post("/rules/new", write, async (c) => await submit(c, deps, null));
  app.post("/rules/:id", write, async (c) => {
    const rule = await ruleOr404(deps, c.req.param("id"));
    return rule ? await submit(c, deps, rule) : notFound(c);
  });
}

/** The form's values for `rule` as stored. */
function valuesOf(rule: RuleView): RuleFormValues {
  return {
    name: rule.name,
    description: rule.description,
    owner: rule.owner ?? "",
    revision: String(rule.revision),
    definition: definitionText(rule.draft ?? rule.published),
  };
}

/** What a form sent before the session ended holds, offered again (once). */
async function keptDraft(
  c: Context<ConsoleEnv>,
  deps: ConsoleDeps,
  page: string,
): Promise<Partial<EditorPage>> {
  const session = c.get("session");
  if (session.draft?.page !== page) return {};
  await keepDraft(deps.db, c.get("sessionId"), null);
  return {
    values: session.draft.fields,
    notice: "This is what you had typed before your session ended; check it and send it again.",
  };
}

/** Renders the builder for `rule` (null: a new one) with `view`. */
async function show(
  c: Context<ConsoleEnv>,
  deps: ConsoleDeps,
  rule: RuleView | null,
  view: Partial<EditorPage> & { values: RuleFormValues },
): Promise<Response> {
  const session = c.get("session");
  const [context, approvals, requests] = await Promise.all([
    ruleContextOf(deps.db, deps),
    approvalsRequired(deps.db),
    rule ? listChangeRequests(deps.db, rule.id) : Promise.resolve([]),
  ]);
  const parsed = parseJsonText(view.values.definition ?? "");
  return ruleEditorPage(c, {
    rule,
    context,
    session,
    canWrite: roleAllows(session.user.role, "write:rules"),
    approvals,
    pending: requests.find((request) => request.status === "pending") ?? null,
    definition: parsed.ok ? parsed.value : {},
    view: "visual",
    errors: {},
    issues: [],
    ...view,
    ...(parsed.ok ? {} : { view: "json" as const }),
  });
}

/** Handles the builder's form: apply the JSON, simulate, save, or publish. */
async function submit(
  c: Context<ConsoleEnv>,
  deps: ConsoleDeps,
  rule: RuleView | null,
): Promise<Response> {
  const values = ruleFormValues(await c.req.parseBody());
  const action = actionOf(values);
  const view = action === "apply" ? "visual" : viewOf(values);
  const parsed = parseJsonText(values.definition ?? "");
  if (!parsed.ok) {
    return await show(c, deps, rule, {
      values,
      view: "json",
      errors: { definition: parsed.message },
      problem: "The rule's JSON is not valid: correct it where the message below says.",
      status: 422,
    });
  }
  const context = await ruleContextOf(deps.db, deps);
  let definition: RuleDefinition | null = null;
  let issues: ReturnType<typeof relativeIssues> = [];
  try {
    definition = validateRuleDefinition(parsed.value, context);
  } catch (error) {
    const found = issuesOf(error);
    if (!found) throw error;
    issues = relativeIssues(found);
  }
  const base = { values, view, issues, definition: parsed.value };
  if (action === "apply") return await show(c, deps, rule, base);
  if (action === "simulate") {
    if (!definition) {
      return await show(c, deps, rule, {
        ...base,
        problem: "The rule cannot be simulated yet: correct the fields marked below.",
        status: 422,
      });
    }
    const id = rule?.id ?? (/^[a-z0-9][a-z0-9-]{0,79}$/.test(values.id ?? "") ? values.id! : "new");
    const simulation = await simulateRule(deps, id, definition, rule?.published != null);
    return await show(c, deps, rule, { ...base, simulation });
  }
  const publishing = action === "publish";
  const errors = metadataErrors(values, { isNew: rule === null, publishing });
  if (!definition || Object.keys(errors).length > 0) {
    return await show(c, deps, rule, {
      ...base,
      errors,
      problem: `The rule was not ${publishing ? "published" : "saved"}: correct the fields ` +
        "marked below.",
      status: 422,
    });
  }
  const change = {
    actor: c.get("actor")!.id,
    now: deps.clock.now(),
    requestId: c.get("requestId") ?? null,
  };
  const metadata = metadataOf(values);
  const id = rule?.id ?? values.id!;
  try {
    const saved = rule
      ? await updateRuleDraft(
        deps.db,
        id,
        { ...metadata, definition: parsed.value },
        Number(values.revision ?? ""),
        context,
        change,
      )
      : await createRule(deps.db, { ...metadata, id, definition: parsed.value }, context, change);
    let done = rule ? "saved" : "created";
    if (publishing) {
      const withReason = { ...change, reason: values.reason!.trim() };
      if (await approvalsRequired(deps.db)) {
        await requestPublish(deps.db, id, saved.revision, context, withReason);
        done = "requested";
      } else {
        await publishRule(deps.db, id, saved.revision, context, withReason);
        done = "published";
      }
    }
    return c.redirect(`/console/rules/${encodeURIComponent(id)}?done=${done}`, 303);
  } catch (error) {
    return await refused(c, deps, rule, { ...base, errors }, error);
  }
}

/** A save the store refused: a conflict, a taken id, an archived rule, a request pending. */
async function refused(
  c: Context<ConsoleEnv>,
  deps: ConsoleDeps,
  rule: RuleView | null,
  view: Partial<EditorPage> & { values: RuleFormValues },
  error: unknown,
): Promise<Response> {
  if (isEngineError(error, "ETAG_MISMATCH") && rule) {
    const theirs = await getRule(deps.db, rule.id);
    const yours = contentOf({ ...metadataOf(view.values), definition: view.definition });
    return await show(c, deps, theirs, {
      ...view,
      values: { ...view.values, revision: String(theirs.revision) },
      conflict: { theirs, yours },
      status: 409,
    });
  }
  if (isEngineError(error, "RULE_EXISTS")) {
    return await show(c, deps, rule, {
      ...view,
      errors: { ...view.errors, id: "is taken by another rule: choose another id" },
      problem: "The rule was not saved: correct the fields marked below.",
      status: 409,
    });
  }
  if (isEngineError(error, "RULE_ARCHIVED") || isEngineError(error, "RULE_CHANGE_PENDING")) {
    return await show(c, deps, rule, { ...view, problem: error.message, status: 409 });
  }
  throw error;
}

async function ruleOr404(deps: ConsoleDeps, id: string): Promise<RuleView | null> {
  try {
    return await getRule(deps.db, id);
  } catch (error) {
    if (isEngineError(error, "RULE_NOT_FOUND")) return null;
    throw error;
  }
}

function notFound(c: Context<ConsoleEnv>) {
  return errorPage(
    c,
    404,
    "No such rule",
    "There is no rule with this id. The Rules page lists every rule.",
  );
}
