/**
 * The visual editor of a rule, rendered on the server from the builder
 * model: nested groups of comparisons, each comparison a fact (with its
 * description and unit), an operator that fits the fact's type and a value
 * input that fits both; then the event. Every input carries the JSON path it
 * edits (`data-field-path`) so errors land beside it, and rules.js turns the
 * inputs back into the definition. The inputs have no `name`: the form sends
 * the definition as one JSON field, which rules.js keeps in step.
 */
import { operatorLabel } from "./operator_labels.ts";
import type { Child } from "hono/jsx";
import {
  channels,
  type FactCatalog,
  type FactDefinition,
  operators,
  operatorsFor,
} from "../../rules/mod.ts";
import {
  type BuilderModel,
  type ConditionNode,
  type GroupNode,
  type LeafNode,
  operatorsOf,
  valueKind,
  valueText,
} from "./model.ts";

/** What every part of the tree needs. */
interface TreeContext {
  catalog: FactCatalog;
  errors: Record<string, string>;
  readOnly: boolean;
}

const GROUP_WORDS = {
  all: "All of these hold",
  any: "Any of these holds",
  not: "None of these holds",
};

/** The id of the input editing `path`. */
export function inputId(path: string): string {
  return `rb-${path.replace(/[^A-Za-z0-9]+/g, "-").replace(/-$/, "")}`;
}

/** What a fact is, in a line: description and unit. */
export function factHelp(fact: FactDefinition | undefined, name: string): string {
  if (!fact) return name === "" ? "Choose a fact" : `"${name}" is not a fact of the catalog`;
  return `${fact.description}${fact.unit ? ` (${fact.unit})` : ""}; ${fact.type}`;
}

/** The conditions as nested groups. */
export function ConditionTree(props: TreeContext & { model: BuilderModel }) {
  return (
    <div class="rule-tree" id="rule-tree">
      <Group node={props.model.root} context={props} top />
    </div>
  );
}

function Group(props: { node: GroupNode; context: TreeContext; top?: boolean }) {
  const { node, context } = props;
  const id = inputId(node.path);
  const error = context.errors[node.path];
  return (
    <fieldset class="group" data-path={node.path} data-extras={extrasOf(node.extras)}>
      <legend>{props.top ? "Conditions" : "Group"}</legend>
      <div class={error ? "field invalid" : "field"}>
        <label for={id}>Match</label>
        <select
          id={id}
          class="group-kind"
          data-field-path={node.path}
          disabled={context.readOnly}
          aria-invalid={error ? "true" : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
        >
          {(["all", "any", "not"] as const).map((kind) => (
            <option value={kind} selected={kind === node.group}>{GROUP_WORDS[kind]}</option>
          ))}
        </select>
        {error ? <p class="error" id={`${id}-error`}>{error}</p> : null}
      </div>
      <ol class="items">
        {node.items.map((item) => <Item key={item.path} node={item} context={context} />)}
      </ol>
      {context.readOnly ? null : (
        <div class="group-actions">
          <button type="button" class="secondary" data-act="add-condition">Add condition</button>
          <button type="button" class="secondary" data-act="add-group">Add group</button>
          {props.top
            ? null
            : <button type="button" class="link" data-act="remove">Remove group</button>}
        </div>
      )}
    </fieldset>
  );
}

function Item(props: { node: ConditionNode; context: TreeContext }) {
  return (
    <li class="item">
      {props.node.kind === "group"
        ? <Group node={props.node} context={props.context} />
        : <Comparison node={props.node} context={props.context} />}
    </li>
  );
}

function Comparison(props: { node: LeafNode; context: TreeContext }) {
  const { node, context } = props;
  const fact = context.catalog.get(node.fact);
  const kind = valueKind(fact, node.operator, node.value);
  const offered = operatorsOf(fact, operatorsFor, operators);
  return (
    <div class="comparison" data-path={node.path} data-extras={extrasOf(node.extras)}>
      <Slot path={`${node.path}.fact`} label="Fact" hint={factHelp(fact, node.fact)} {...context}>
        {(attrs) => (
          <select {...attrs} class="fact">
            {fact ? null : <option value={node.fact} selected>{node.fact || "Choose…"}</option>}
            {factGroups(context.catalog).map(([source, facts]) => (
              <optgroup label={source}>
                {facts.map((f) => (
                  <option value={f.name} selected={f.name === node.fact}>{f.name}</option>
                ))}
              </optgroup>
            ))}
          </select>
        )}
      </Slot>
      <Slot path={`${node.path}.operator`} label="Operator" {...context}>
        {(attrs) => (
          <select {...attrs} class="operator">
            {offered.includes(node.operator)
              ? null
              : <option value={node.operator} selected>{node.operator || "Choose…"}</option>}
            {offered.map((op) => (
              <option key={op} value={op} selected={op === node.operator}>
                {operatorLabel(op)}
              </option>
            ))}
          </select>
        )}
      </Slot>
      <Slot
        path={`${node.path}.value`}
        label="Value"
        hint={kind === "list" ? "Separate values with commas" : undefined}
        {...context}
      >
        {(attrs) => <ValueInput attrs={attrs} kind={kind} fact={fact} value={node.value} />}
      </Slot>
      {context.readOnly
        ? null
        : <button type="button" class="link" data-act="remove">Remove condition</button>}
    </div>
  );
}

/** The attributes every builder input has. */
type InputAttrs = Record<string, string | boolean | undefined>;

/** A labelled builder input with its hint and error, tied by aria-describedby. */
function Slot(
  props: TreeContext & {
    path: string;
    label: string;
    hint?: string | undefined;
    children: (attrs: InputAttrs) => Child;
  },
) {
  const id = inputId(props.path);
  const error = props.errors[props.path];
  const described = [props.hint ? `${id}-hint` : "", error ? `${id}-error` : ""]
    .filter(Boolean).join(" ");
  return (
    <div class={error ? "field invalid" : "field"}>
      <label for={id}>{props.label}</label>
      {props.children({
        id,
        "data-field-path": props.path,
        disabled: props.readOnly,
        "aria-invalid": error ? "true" : undefined,
        "aria-describedby": described || undefined,
      })}
      {props.hint ? <p class="hint" id={`${id}-hint`}>{props.hint}</p> : null}
      {error ? <p class="error" id={`${id}-error`}>{error}</p> : null}
    </div>
  );
}

function ValueInput(
  props: { attrs: InputAttrs; kind: string; fact: FactDefinition | undefined; value: unknown },
) {
  const { attrs, kind, value } = props;
  const text = valueText(value, kind === "list" ? "list" : "text");
  if (kind === "boolean" || kind === "choice") {
    const choices = kind === "boolean" ? ["true", "false"] : [...props.fact?.values ?? []];
    return (
      <select {...attrs} class="value" data-kind={kind}>
        {choices.includes(text) ? null : <option value={text} selected>{text || "Choose…"}</option>}
        {choices.map((choice) => (
          <option key={choice} value={choice} selected={choice === text}>{choice}</option>
        ))}
      </select>
    );
  }
  return (
    <input
      {...attrs}
      class="value"
      data-kind={kind}
      type="text"
      inputmode={kind === "number" ? "decimal" : undefined}
      value={text}
    />
  );
}

/** The catalog's facts by source, in catalog order. */
function factGroups(catalog: FactCatalog): Array<[string, FactDefinition[]]> {
  const groups = new Map<string, FactDefinition[]>();
  for (const fact of catalog.values()) {
    const list = groups.get(fact.source) ?? [];
    list.push(fact);
    groups.set(fact.source, list);
  }
  return [...groups];
}

function extrasOf(extras: Record<string, unknown>): string | undefined {
  return Object.keys(extras).length > 0 ? JSON.stringify(extras) : undefined;
}

/** The event: an intervention's template, channel, priority, cooldown and holdout; the rule's priority. */
export function EventFields(
  props: TreeContext & { model: BuilderModel; templates: ReadonlyMap<string, string> },
) {
  const { model, templates } = props;
  const params = model.params;
  const intervention = model.eventType === "intervention";
  const text = (value: unknown) => value === undefined ? "" : valueText(value, "text");
  const template = text(params.template);
  const channel = text(params.channel);
  return (
    <fieldset class="event" data-path="event">
      <legend>What happens when the conditions hold</legend>
      <Slot path="event.type" label="Event" hint="intervention, or another event name" {...props}>
        {(attrs) => <input {...attrs} type="text" value={model.eventType} list="rb-event-types" />}
      </Slot>
      <datalist id="rb-event-types">
        <option value="intervention" />
      </datalist>
      <div class="intervention" data-path="event.params" hidden={!intervention}>
        <Slot path="event.params.template" label="Template" {...props}>
          {(attrs) => (
            <select {...attrs}>
              {templates.has(template)
                ? null
                : <option value={template} selected>{template || "Choose a template…"}</option>}
              {[...templates].map(([id, on]) => (
                <option value={id} selected={id === template} data-channel={on}>{id} ({on})</option>
              ))}
            </select>
          )}
        </Slot>
        <Slot path="event.params.channel" label="Channel" {...props}>
          {(attrs) => (
            <select {...attrs}>
              {(channels as readonly string[]).includes(channel)
                ? null
                : <option value={channel} selected>{channel || "Choose…"}</option>}
              {channels.map((c) => <option key={c} value={c} selected={c === channel}>{c}</option>)}
            </select>
          )}
        </Slot>
        <NumberSlot {...props} field="priority" label="Intervention priority" hint="0–100" />
        <NumberSlot {...props} field="cooldownDays" label="Cooldown (days)" hint="0–365" />
        <NumberSlot
          {...props}
          field="holdout"
          label="Holdout share"
          hint="0–0.5: the share of customers kept as a control group"
        />
      </div>
      <div class="event-params" hidden={intervention}>
        <Slot path="event.params" label="Parameters (JSON)" {...props}>
          {(attrs) => (
            <textarea {...attrs} rows={3} data-kind="json">
              {intervention ? "{}" : JSON.stringify(params)}
            </textarea>
          )}
        </Slot>
      </div>
      <Slot
        path="priority"
        label="Rule priority"
        hint="1–1000: rules with a higher priority are evaluated first"
        {...props}
      >
        {(attrs) => (
          <input {...attrs} type="text" inputmode="numeric" value={text(model.priority)} />
        )}
      </Slot>
    </fieldset>
  );
}

function NumberSlot(
  props: TreeContext & { model: BuilderModel; field: string; label: string; hint: string },
) {
  const value = props.model.params[props.field];
  return (
    <Slot
      path={`event.params.${props.field}`}
      label={props.label}
      hint={props.hint}
      catalog={props.catalog}
      errors={props.errors}
      readOnly={props.readOnly}
    >
      {(attrs) => (
        <input
          {...attrs}
          type="text"
          inputmode="decimal"
          value={value === undefined ? "" : valueText(value, "text")}
        />
      )}
    </Slot>
  );
}

/** Blank parts rules.js copies when someone adds a condition or a group. */
export function NewParts(props: { catalog: FactCatalog }) {
  const context: TreeContext = { catalog: props.catalog, errors: {}, readOnly: false };
  const leaf: LeafNode = {
    kind: "leaf",
    path: "new",
    fact: "healthScore",
    operator: "lessThan",
    value: 40,
    extras: {},
  };
  const group: GroupNode = {
    kind: "group",
    path: "new",
    group: "any",
    items: [{ ...leaf, path: "new.any[0]" }],
    extras: {},
  };
  return (
    <>
      <template id="rb-new-condition">
        <Item node={leaf} context={context} />
      </template>
      <template id="rb-new-group">
        <Item node={group} context={context} />
      </template>
    </>
  );
}
