/**
 * A rule definition as the builder shows it: a tree of groups and
 * comparisons with the JSON path of each, the event's fields, and where each
 * validation error goes. The definition may be anything a person typed into
 * the JSON view, so nothing here assumes it is valid: what does not fit a
 * field is shown as typed and left to validation to point at.
 */
import type { FieldIssue } from "../../errors.ts";
import type { FactDefinition, Operator } from "../../rules/mod.ts";

/** A group: all, any or not of its items. */
export interface GroupNode {
  kind: "group";
  path: string;
  group: "all" | "any" | "not";
  items: ConditionNode[];
  /** Keys kept as they were (name, priority). */
  extras: Record<string, unknown>;
}

/** A comparison: fact operator value. */
export interface LeafNode {
  kind: "leaf";
  path: string;
  fact: string;
  operator: string;
  value: unknown;
  /** Keys kept as they were (path, params, name, priority, and any mistyped key). */
  extras: Record<string, unknown>;
}

/** A node of the condition tree. */
export type ConditionNode = GroupNode | LeafNode;

/** The whole rule as the builder shows it. */
export interface BuilderModel {
  root: GroupNode;
  eventType: string;
  params: Record<string, unknown>;
  priority: unknown;
}

/** How a comparison's value is typed in. */
export type ValueKind = "number" | "text" | "list" | "choice" | "boolean" | "json";

/** What a new rule starts as. */
export const NEW_RULE_DEFINITION = {
  conditions: { all: [{ fact: "healthScore", operator: "lessThan", value: 40 }] },
  event: {
    type: "intervention",
    params: { template: "", channel: "email", priority: 50, cooldownDays: 14, holdout: 0 },
  },
  priority: 1,
};

/** The builder's view of `definition`. */
export function builderModel(definition: unknown): BuilderModel {
  const rule = record(definition);
  const event = record(rule.event);
  const top = isGroup(rule.conditions)
    ? rule.conditions
    : { all: rule.conditions === undefined ? [] : [rule.conditions] };
  return {
    root: groupOf(top, "conditions"),
    eventType: typeof event.type === "string" ? event.type : "intervention",
    params: record(event.params),
    priority: rule.priority,
  };
}

/** The condition at `path`: a group or a comparison. */
function nodeOf(value: unknown, path: string): ConditionNode {
  if (isGroup(value)) return groupOf(value, path);
  const { fact, operator, value: compared, ...extras } = record(value);
  return {
    kind: "leaf",
    path,
    fact: typeof fact === "string" ? fact : "",
    operator: typeof operator === "string" ? operator : "",
    value: compared,
    extras,
  };
}

function groupOf(value: Record<string, unknown>, path: string): GroupNode {
  const { all, any, not, ...extras } = value;
  if (not !== undefined || ("not" in value && all === undefined && any === undefined)) {
    return { kind: "group", path, group: "not", items: [nodeOf(not, `${path}.not`)], extras };
  }
  const group = all !== undefined ? "all" : "any";
  const list = Array.isArray(all ?? any) ? (all ?? any) as unknown[] : [];
  return {
    kind: "group",
    path,
    group,
    items: list.map((item, i) => nodeOf(item, `${path}.${group}[${i}]`)),
    extras,
  };
}

/** How the value of a comparison on `fact` with `operator` is typed in. */
export function valueKind(
  fact: FactDefinition | undefined,
  operator: string,
  value: unknown,
): ValueKind {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) return "json";
  if (operator === "in" || operator === "notIn") return "list";
  if (fact?.type === "boolean") return "boolean";
  if (fact?.values && fact.values.length > 0) return "choice";
  if (fact?.type === "number") return "number";
  return "text";
}

/** A value as its input shows it. */
export function valueText(value: unknown, kind: ValueKind): string {
  if (value === undefined) return "";
  if (kind === "list" && Array.isArray(value)) {
    return value.map((item) => typeof item === "string" ? item : JSON.stringify(item)).join(", ");
  }
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** The operators offered for `fact` (all of them for a fact the catalog lacks). */
export function operatorsOf(
  fact: FactDefinition | undefined,
  table: Readonly<Record<string, readonly Operator[]>>,
  all: readonly Operator[],
): readonly string[] {
  return fact ? table[fact.type] ?? all : all;
}

/** The fields of the builder, by the JSON path an error may name, to the field that shows it. */
export function fieldTargets(model: BuilderModel): Map<string, string> {
  const targets = new Map<string, string>();
  const walk = (node: ConditionNode) => {
    if (node.kind === "group") {
      targets.set(node.path, node.path);
      node.items.forEach(walk);
      return;
    }
    targets.set(node.path, `${node.path}.fact`);
    for (const field of ["fact", "operator", "value"]) {
      targets.set(`${node.path}.${field}`, `${node.path}.${field}`);
    }
  };
  walk(model.root);
  targets.set("event", "event.type");
  targets.set("event.type", "event.type");
  const intervention = model.eventType === "intervention";
  targets.set("event.params", intervention ? "event.params.template" : "event.params");
  if (intervention) {
    for (const field of ["template", "channel", "priority", "cooldownDays", "holdout"]) {
      targets.set(`event.params.${field}`, `event.params.${field}`);
    }
  }
  targets.set("priority", "priority");
  return targets;
}

/**
 * Each issue at the field its path (or the nearest path above it) names:
 * the first message per field. Issues on no field (the whole rule) are
 * only in the summary.
 */
export function placeIssues(
  issues: readonly FieldIssue[],
  targets: ReadonlyMap<string, string>,
): Record<string, string> {
  const placed: Record<string, string> = {};
  for (const issue of issues) {
    const field = issueTarget(issue.path, targets);
    if (field !== undefined) placed[field] ??= issue.message;
  }
  return placed;
}

/** The field an error at `path` is shown at: its own, or the nearest above it; none for the whole rule. */
export function issueTarget(
  path: string,
  targets: ReadonlyMap<string, string>,
): string | undefined {
  while (path !== "" && !targets.has(path)) path = parentPath(path);
  return targets.get(path);
}

/** `a.b[2]` → `a.b` → `a` → "". */
export function parentPath(path: string): string {
  return path.replace(/(\[\d+\]|\.?[^.[\]]+)$/, "");
}

/** A rule's issue paths as the builder names them: relative to the definition. */
export function relativeIssues(issues: readonly FieldIssue[]): FieldIssue[] {
  return issues.map((issue) => ({
    ...issue,
    path: issue.path.replace(/^(definition|draft)(\.|$)/, "") || "(root)",
  }));
}

function isGroup(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) &&
    ("all" in value || "any" in value || "not" in value);
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? value as Record<string, unknown>
    : {};
}
