/**
 * A rule's history: its published versions, newest first, each with who
 * published it, when and why, and what changed from the version before as
 * a field-level diff; any version but the one running can be rolled back
 * to (published again as a new version) with a reason, at the revision the
 * page was read at, so a rollback over someone's fresh change is refused.
 */
import type { Context, Hono } from "hono";
import { roleAllows } from "../../access/mod.ts";
import { isEngineError } from "../../errors.ts";
import {
  getRule,
  listRuleVersions,
  rollbackRule,
  type RuleVersion,
  type RuleView,
} from "../../rules/mod.ts";
import type { ConsoleDeps, ConsoleEnv } from "../deps.ts";
import { diffFields } from "../diff.ts";
import { DiffTable } from "../diff_table.tsx";
import { errorPage } from "../error_pages.tsx";
import { Field, FormContext } from "../forms.tsx";
import { Layout } from "../layout.tsx";
import { ruleContextOf } from "../rule_builder/context.ts";
import { ruleFormValues } from "../rule_builder/form.ts";
import { requireSession } from "../session.ts";

/** What a rollback form brought back. */
interface HistoryView {
  notice?: string;
  problem?: string;
  /** The version whose form had an error, with the error and what was typed. */
  failed?: { version: number; error: string; reason: string };
  status?: 200 | 409 | 422;
}

/** Registers GET /rules/:id/history and POST /rules/:id/rollback. */
export function registerRuleHistory(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  app.get("/rules/:id/history", requireSession(deps, "read:rules"), async (c) => {
    const rolledBack = Number(c.req.query("rolledBack"));
    return await historyPage(c, deps, c.req.param("id"), {
      ...(Number.isSafeInteger(rolledBack) && rolledBack > 0
        ? { notice: `Version ${rolledBack} is published again as the newest version.` }
        : {}),
    });
  });

  app.post("/rules/:id/rollback", requireSession(deps, "write:rules"), async (c) => {
    const id = c.req.param("id");
    const form = ruleFormValues(await c.req.parseBody());
    const version = Number(form.version);
    const reason = (form.reason ?? "").trim();
    if (!Number.isSafeInteger(version) || version < 1) {
      return await historyPage(c, deps, id, { problem: "No such version.", status: 422 });
    }
    if (reason === "" || reason.length > 1000) {
      const error = reason === ""
        ? "is required to roll back: say why, for the history and the audit log"
        : "must be at most 1000 characters";
      return await historyPage(c, deps, id, {
        failed: { version, error, reason: form.reason ?? "" },
        problem: `Version ${version} was not rolled back to: correct the reason below.`,
        status: 422,
      });
    }
    try {
      await rollbackRule(
        deps.db,
        id,
        version,
        Number(form.revision),
        await ruleContextOf(
          deps.db,
          deps,
        ),
        {
          actor: c.get("actor")!.id,
          now: deps.clock.now(),
          requestId: c.get("requestId") ?? null,
          reason,
        },
      );
    } catch (error) {
      if (isEngineError(error, "ETAG_MISMATCH")) {
        return await historyPage(c, deps, id, {
          problem: "Someone changed the rule since you opened this page, so nothing was rolled " +
            "back. The page now shows the rule as it is: check it and roll back again if you " +
            "still mean to.",
          status: 409,
        });
      }
      if (!isEngineError(error, "VALIDATION_FAILED")) throw error;
      return await historyPage(c, deps, id, {
        problem: `Version ${version} no longer passes validation (${error.message}); edit the ` +
          "rule instead.",
        status: 422,
      });
    }
    return c.redirect(`/console/rules/${id}/history?rolledBack=${version}`, 303);
  });
}

async function historyPage(
  c: Context<ConsoleEnv>,
  deps: ConsoleDeps,
  id: string,
  view: HistoryView,
): Promise<Response> {
  let rule: RuleView;
  try {
    rule = await getRule(deps.db, id);
  } catch (error) {
    if (!isEngineError(error, "RULE_NOT_FOUND")) throw error;
    return await errorPage(c, 404, "No such rule", "There is no rule with this id.");
  }
  const versions = await listRuleVersions(deps.db, id);
  const session = c.get("session");
  const canWrite = roleAllows(session.user.role, "write:rules");
  return c.html(
    <Layout title={`History: ${rule.name}`} session={session} current="/console/rules">
      {view.notice ? <p class="notice" role="status">{view.notice}</p> : null}
      {view.problem ? <p class="error-summary" role="alert">{view.problem}</p> : null}
      <p>
        <code>{rule.id}</code> · <strong>{rule.status}</strong>
        {rule.version === null ? " · never published" : ` · version ${rule.version} runs`} ·{" "}
        <a href={`/console/rules/${rule.id}`}>Edit the rule</a>
      </p>
      {versions.length === 0
        ? <p>Nothing is published yet: the history starts with the first publish.</p>
        : (
          <ol class="versions" aria-label="Published versions, newest first">
            {versions.map((version, i) => (
              <VersionEntry
                version={version}
                previous={versions[i + 1]}
                rule={rule}
                csrf={session.csrfToken}
                canWrite={canWrite}
                failed={view.failed?.version === version.version ? view.failed : undefined}
              />
            ))}
          </ol>
        )}
    </Layout>,
    view.status ?? 200,
  );
}

/** What a version shows of itself in a diff: what a person edits. */
function snapshotOf(version: RuleVersion | undefined) {
  if (!version) return null;
  return { name: version.name, description: version.description, definition: version.definition };
}

function VersionEntry(props: {
  version: RuleVersion;
  previous: RuleVersion | undefined;
  rule: RuleView;
  csrf: string;
  canWrite: boolean;
  failed: HistoryView["failed"] | undefined;
}) {
  const { version, rule } = props;
  const changes = diffFields(snapshotOf(props.previous), snapshotOf(version));
  const running = version.version === rule.version && rule.status === "published";
  const page = `/console/rules/${rule.id}/history`;
  return (
    <li class="entry">
      <p class="entry-head">
        <strong>Version {version.version}</strong>
        {running ? " (runs now)" : ""}
        {version.restoredFrom !== null ? ` · restores version ${version.restoredFrom}` : ""}
      </p>
      <p class="entry-meta">
        <time datetime={version.publishedAt}>
          {version.publishedAt.slice(0, 19).replace("T", " ")} UTC
        </time>{" "}
        · by {version.publishedBy} · reason: {version.reason ?? "none given"}
      </p>
      <details open={props.previous !== undefined && changes.length <= 12}>
        <summary>
          {props.previous
            ? `What changed from version ${props.previous.version}`
            : "As first published"}
          {` (${changes.length} field${changes.length === 1 ? "" : "s"})`}
        </summary>
        <DiffTable changes={changes} caption={`Changes of version ${version.version}`} />
      </details>
      {props.canWrite && !running
        ? (
          <form method="post" action={`/console/rules/${rule.id}/rollback`} class="rollback">
            <FormContext csrf={props.csrf} page={page} />
            <input type="hidden" name="version" value={String(version.version)} />
            <input type="hidden" name="revision" value={String(rule.revision)} />
            <Field
              name="reason"
              label={`Reason to roll back to version ${version.version}`}
              idPrefix={`v${version.version}`}
              value={props.failed?.reason}
              error={props.failed?.error}
            />
            <button type="submit">Roll back to version {version.version}</button>
          </form>
        )
        : null}
    </li>
  );
}
