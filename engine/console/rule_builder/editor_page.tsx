/**
 * The builder's page: the rule's metadata, the visual editor and the JSON
 * view of the same definition (one form field, `definition`), the reason to
 * publish, the actions, and what a submit brought back (errors beside their
 * fields with a summary, a conflict, a simulation). Without rules.js the
 * JSON view is the editor and every action still works; with it the visual
 * editor is in front.
 */
import { operatorLabels } from "./operator_labels.ts";
import type { Context } from "hono";
import type { Session } from "../../access/mod.ts";
import type { FieldIssue } from "../../errors.ts";
import {
  operators,
  operatorsFor,
  type RuleChangeRequest,
  type RuleContext,
  type RuleView,
} from "../../rules/mod.ts";
import type { ConsoleEnv } from "../deps.ts";
import { Field, type FieldErrors, FormContext } from "../forms.tsx";
import { Layout } from "../layout.tsx";
import { ConflictPanel, type contentOf } from "./conflict.tsx";
import type { EditorView, RuleFormValues } from "./form.ts";
import { builderModel, fieldTargets, issueTarget, placeIssues } from "./model.ts";
import { type RuleSimulation, SimulationPanel } from "./simulation.tsx";
import { PendingRequest } from "./pending_request.tsx";
import { ConditionTree, EventFields, inputId, NewParts } from "./tree.tsx";

/** Everything the page shows. */
export interface EditorPage {
  /** The rule as stored; null for a new one. */
  rule: RuleView | null;
  context: RuleContext;
  session: Session;
  canWrite: boolean;
  /** Whether publishing files a request for approval instead. */
  approvals: boolean;
  pending: RuleChangeRequest | null;
  values: RuleFormValues;
  /** The definition as typed (parsed), for the visual editor. */
  definition: unknown;
  view: EditorView;
  errors: FieldErrors;
  /** The rule's validation issues, paths relative to the definition. */
  issues: FieldIssue[];
  notice?: string;
  problem?: string;
  status?: 200 | 409 | 422;
  simulation?: RuleSimulation;
  conflict?: { theirs: RuleView; yours: ReturnType<typeof contentOf> };
}

/** The catalog and the operator table, as rules.js reads them (a data attribute, no inline script). */
function builderData(context: RuleContext): string {
  const facts = Object.fromEntries(
    [...context.catalog.values()].map((f) => [f.name, {
      type: f.type,
      unit: f.unit,
      description: f.description,
      values: f.values ?? null,
    }]),
  );
  return JSON.stringify({ facts, operators: operatorsFor, all: operators, labels: operatorLabels });
}

/** Renders the builder. */
export function ruleEditorPage(c: Context<ConsoleEnv>, page: EditorPage) {
  const { rule, values, errors, issues } = page;
  const path = rule ? `/console/rules/${rule.id}` : "/console/rules/new";
  const model = builderModel(page.definition);
  const targets = fieldTargets(model);
  const placed = placeIssues(issues, targets);
  const tree = { catalog: page.context.catalog, errors: placed, readOnly: !page.canWrite };
  const title = rule ? `Rule: ${rule.name}` : "New rule";
  const publishWord = page.approvals ? "Submit for approval" : "Publish";
  return c.html(
    <Layout title={title} session={page.session} current="/console/rules" scripts={["rules.js"]}>
      {page.notice ? <p class="notice" role="status">{page.notice}</p> : null}
      {page.problem ? <p class="error-summary" role="alert">{page.problem}</p> : null}
      {rule
        ? (
          <RuleFacts
            rule={rule}
            pending={page.pending}
            session={page.session}
            canWrite={page.canWrite}
          />
        )
        : null}
      {page.conflict ? <ConflictPanel {...page.conflict} /> : null}
      <Summary issues={issues} errors={errors} targets={targets} />
      <form
        method="post"
        action={path}
        class="rule-builder"
        id="rule-form"
        novalidate
        data-builder={builderData(page.context)}
      >
        <FormContext csrf={page.session.csrfToken} page={path} />
        <input type="hidden" name="view" value={page.view} />
        <input type="hidden" name="action" value="" />
        {rule ? <input type="hidden" name="revision" value={values.revision ?? ""} /> : null}
        <div class="rule-meta">
          {rule ? null : (
            <Field
              name="id"
              label="Id"
              value={values.id}
              error={errors.id}
              hint="Lower-case letters, digits and dashes, e.g. onboarding-stalled; fixed once saved"
            />
          )}
          <Field name="name" label="Name" value={values.name} error={errors.name} />
          <Field
            name="description"
            label="Description"
            value={values.description}
            error={errors.description}
          />
          <Field
            name="owner"
            label="Owner"
            value={values.owner}
            error={errors.owner}
            hint="Who answers for this rule"
          />
        </div>
        <div class="view-switch" hidden>
          <span id="view-switch-label">Edit as</span>
          <div role="group" aria-labelledby="view-switch-label">
            <button type="button" class="secondary" data-view="visual">Visual editor</button>
            <button type="button" class="secondary" data-view="json">JSON</button>
          </div>
        </div>
        <div class="visual-view" hidden>
          <ConditionTree model={model} {...tree} />
          <EventFields model={model} templates={page.context.templates ?? new Map()} {...tree} />
        </div>
        <div class="json-view">
          <JsonField value={values.definition ?? ""} error={errors.definition} />
          {page.canWrite
            ? (
              <button type="submit" name="action" value="apply" class="secondary">
                Apply the JSON to the visual editor
              </button>
            )
            : null}
        </div>
        <p id="rb-live" class="live-status" role="status" aria-live="polite"></p>
        {page.canWrite
          ? (
            <>
              <Field
                name="reason"
                label="Reason for publishing"
                value={values.reason}
                error={errors.reason}
                hint={`Needed to ${publishWord.toLowerCase()}; kept in the history and the audit log`}
              />
              {page.approvals
                ? (
                  <p class="notice">
                    Approvals are on: publishing files a request that someone else with publish
                    rights must approve before the rule runs.
                  </p>
                )
                : null}
              <div class="form-actions">
                <button type="submit" name="action" value="save">Save draft</button>
                <button type="submit" name="action" value="simulate" class="secondary">
                  Simulate
                </button>
                <button type="submit" name="action" value="publish">{publishWord}</button>
              </div>
            </>
          )
          : <p class="muted">Your role can read rules but not change them.</p>}
      </form>
      {page.simulation ? <SimulationPanel simulation={page.simulation} /> : null}
      {page.canWrite ? <NewParts catalog={page.context.catalog} /> : null}
    </Layout>,
    page.status ?? 200,
  );
}

function JsonField(props: { value: string; error?: string | undefined }) {
  const id = "f-definition";
  return (
    <div class={props.error ? "field invalid" : "field"}>
      <label for={id}>The rule as JSON</label>
      <p class="hint" id={`${id}-hint`}>
        json-rules-engine's format: conditions, event, priority (docs/rules.md)
      </p>
      <textarea
        id={id}
        name="definition"
        rows={18}
        spellcheck={false}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={`${id}-hint${props.error ? ` ${id}-error` : ""}`}
      >
        {props.value}
      </textarea>
      <p class="error" id={`${id}-error`} hidden={!props.error}>{props.error ?? ""}</p>
    </div>
  );
}

/** Every problem at once, each with where it is, linked to its field. */
function Summary(
  props: { issues: FieldIssue[]; errors: FieldErrors; targets: ReadonlyMap<string, string> },
) {
  const fields = Object.entries(props.errors);
  if (props.issues.length === 0 && fields.length === 0) return null;
  return (
    <div class="error-summary" id="rule-summary" aria-labelledby="summary-title">
      <h2 id="summary-title">
        {props.issues.length + fields.length} problem
        {props.issues.length + fields.length === 1 ? "" : "s"} to correct
      </h2>
      <ul>
        {fields.map(([field, message]) => (
          <li>
            <a href={`#f-${field}`}>{field}</a>: {message}
          </li>
        ))}
        {props.issues.map((issue) => {
          const target = issueTarget(issue.path, props.targets);
          return (
            <li>
              {target
                ? <a href={`#${inputId(target)}`}>{issue.path}</a>
                : <code>{issue.path}</code>}
              : {issue.message}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

/** Status, version, owner and last change of a stored rule, and its pending approval. */
function RuleFacts(
  props: {
    rule: RuleView;
    pending: RuleChangeRequest | null;
    session: Session;
    canWrite: boolean;
  },
) {
  const { rule, pending } = props;
  return (
    <div class="rule-facts">
      <p>
        <code>{rule.id}</code> · <strong>{rule.status}</strong>
        {rule.version === null ? " · never published" : ` · version ${rule.version} runs`}
        {rule.draft !== null && rule.version !== null ? " · a draft waits to be published" : ""}
        {" · last changed "}
        {rule.updatedAt.slice(0, 16).replace("T", " ")} UTC by {rule.updatedBy} ·{" "}
        <a href={`/console/rules/${rule.id}/history`}>History</a>
      </p>
      {rule.disabledAt
        ? (
          <p class="error-summary">
            The engine switched the published version off:{" "}
            {rule.disabledReason}. Publishing switches it on again.
          </p>
        )
        : null}
      {pending
        ? <PendingRequest request={pending} session={props.session} canWrite={props.canWrite} />
        : null}
    </div>
  );
}
