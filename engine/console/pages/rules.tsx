/**
 * The Rules page: every rule with its status, published version, priority,
 * owner and last change, filtered by text (id, name, description, owner)
 * and status; "New rule" for those who may write rules.
 */
import type { Hono } from "hono";
import { roleAllows } from "../../access/mod.ts";
import { listRules, type RuleView } from "../../rules/mod.ts";
import type { ConsoleDeps, ConsoleEnv } from "../deps.ts";
import { Choice, Field } from "../forms.tsx";
import { Layout } from "../layout.tsx";
import { requireSession } from "../session.ts";

const STATUSES = ["any", "draft", "published", "archived"] as const;
// The console reads the whole list: rule sets are hundreds at most, and filtering by
// text needs them all.
const PAGE_SIZE = 500;

/** Registers GET /rules. */
export function registerRulesPage(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  app.get("/rules", requireSession(deps, "read:rules"), async (c) => {
    const text = (c.req.query("q") ?? "").trim().slice(0, 200);
    const status = STATUSES.find((s) => s === c.req.query("status")) ?? "any";
    const rules = (await allRules(deps, status === "any" ? undefined : status))
      .filter((rule) => matches(rule, text));
    const session = c.get("session");
    return c.html(
      <Layout title="Rules" session={session} current="/console/rules">
        {roleAllows(session.user.role, "write:rules")
          ? (
            <p>
              <a class="button" href="/console/rules/new">New rule</a>
            </p>
          )
          : null}
        <form method="get" action="/console/rules" class="filters" role="search">
          <Field name="q" label="Text" value={text} hint="Part of the id, name or owner" />
          <Choice name="status" label="Status" options={STATUSES} value={status} />
          <div class="actions">
            <button type="submit">Filter</button>
            <a href="/console/rules">Clear filters</a>
          </div>
        </form>
        <h2 id="rule-list">
          {rules.length} rule{rules.length === 1 ? "" : "s"}
        </h2>
        {rules.length === 0
          ? <p>No rule matches these filters.</p>
          : (
            <div class="table-scroll" tabindex={0} role="region" aria-labelledby="rule-list">
              <table class="rules stack-on-phone">
                <thead>
                  <tr>
                    <th scope="col">Rule</th>
                    <th scope="col">Status</th>
                    <th scope="col">Version</th>
                    <th scope="col">Priority</th>
                    <th scope="col">Owner</th>
                    <th scope="col">Last change</th>
                  </tr>
                </thead>
                <tbody>
                  {rules.map((rule) => <RuleRow key={rule.id} rule={rule} />)}
                </tbody>
              </table>
            </div>
          )}
      </Layout>,
    );
  });
}

function RuleRow(props: { rule: RuleView }) {
  const { rule } = props;
  const definition = rule.draft ?? rule.published;
  return (
    <tr>
      <th scope="row">
        <a href={`/console/rules/${rule.id}`}>{rule.name}</a>
        <br />
        <span class="muted">{rule.id}</span>
      </th>
      <td data-label="Status">
        {rule.status}
        {rule.status === "published" && rule.draft !== null ? " (draft waiting)" : ""}
        {rule.disabledAt ? " (switched off by the engine)" : ""}
      </td>
      <td data-label="Version">{rule.version ?? "none"}</td>
      <td data-label="Priority">{definition?.priority ?? ""}</td>
      <td data-label="Owner">{rule.owner ?? ""}</td>
      <td data-label="Last change">
        {rule.updatedAt.slice(0, 16).replace("T", " ")} UTC
        <br />
        <span class="muted">{rule.updatedBy}</span>
      </td>
    </tr>
  );
}

async function allRules(deps: ConsoleDeps, status: string | undefined): Promise<RuleView[]> {
  const rules: RuleView[] = [];
  let cursor: string | undefined;
  do {
    const page = await listRules(deps.db, { limit: PAGE_SIZE, cursor, status });
    rules.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return rules;
}

function matches(rule: RuleView, text: string): boolean {
  if (text === "") return true;
  const needle = text.toLowerCase();
  return [rule.id, rule.name, rule.description, rule.owner ?? ""]
    .some((field) => field.toLowerCase().includes(needle));
}
