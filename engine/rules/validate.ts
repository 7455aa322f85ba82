/**
 * Validation at save, not at run: a rule's definition is checked for shape
 * and then against the fact catalog, so a rule that could not evaluate as
 * its author meant is never stored as publishable. Every problem names its
 * JSON path (`conditions.all[2].any[0].fact`) and says how to fix it; all
 * problems are reported at once.
 */
import { EngineError, type FieldIssue, formatPath } from "../errors.ts";
import { zodIssues } from "../validation.ts";
import { didYouMean } from "./did_you_mean.ts";
import type { FactCatalog, FactDefinition, FactType } from "./facts.ts";
import {
  channels,
  interventionParamsSchema,
  type Operator,
  operators,
  type RuleDefinition,
  ruleDefinitionSchema,
} from "./rule_schema.ts";

/** How deep all/any/not may nest (the top condition is depth 1). */
export const MAX_CONDITION_DEPTH = 6;
/** Most comparisons in one rule. */
export const MAX_COMPARISONS = 100;
/** Largest rule definition, as JSON. */
export const MAX_RULE_BYTES = 32 * 1024;

/** What a rule is checked against. */
export interface RuleContext {
  catalog: FactCatalog;
  /**
   * The templates an intervention may name, with the channel each is for;
   * undefined where no template store is at hand (then only the key's form
   * is checked).
   */
  templates?: ReadonlyMap<string, string>;
}

/** Which operators fit each fact type (the console's rule builder offers these). */
export const operatorsFor: Readonly<Record<FactType, readonly Operator[]>> = {
  number: [
    "equal",
    "notEqual",
    "lessThan",
    "lessThanInclusive",
    "greaterThan",
    "greaterThanInclusive",
    "in",
    "notIn",
  ],
  string: ["equal", "notEqual", "in", "notIn"],
  boolean: ["equal", "notEqual"],
  list: ["contains", "doesNotContain"],
};

const LEAF_KEYS = new Set(["fact", "operator", "value", "path", "params", "priority", "name"]);
const GROUP_KEYS = new Set(["all", "any", "not", "priority", "name"]);

type Path = PropertyKey[];

/** The problems found so far, with paths under the rule's own place in the request. */
class Issues {
  readonly list: FieldIssue[] = [];
  constructor(readonly prefix: Path) {}
  /** A problem at `path` (relative to the rule). */
  add(path: Path, message: string): void {
    this.list.push({ path: formatPath([...this.prefix, ...path]) || "(root)", message });
  }
  /** A problem zod found, its path already formatted relative to the rule. */
  addZod(issue: FieldIssue, hint = ""): void {
    const prefix = formatPath(this.prefix);
    const path = issue.path === "(root)"
      ? prefix || "(root)"
      : prefix
      ? `${prefix}.${issue.path}`
      : issue.path;
    this.list.push({ path, message: issue.message + hint });
  }
}

type Add = (path: Path, message: string) => void;

/** The checked definition, or VALIDATION_FAILED listing every problem with its path. */
export function validateRuleDefinition(
  input: unknown,
  context: RuleContext,
  prefix: Path = [],
): RuleDefinition {
  const issues = new Issues(prefix);
  const add: Add = (path, message) => issues.add(path, message);

  const size = new TextEncoder().encode(JSON.stringify(input) ?? "").length;
  if (size > MAX_RULE_BYTES) {
    add([], `the rule is ${size} bytes as JSON; at most ${MAX_RULE_BYTES}: split it into rules`);
    throw invalid(issues.list);
  }
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    add([], "must be an object with conditions, event and priority");
    throw invalid(issues.list);
  }
  const conditions = (input as Record<string, unknown>).conditions;
  if (conditions === undefined) {
    add(["conditions"], 'is required: {"all": [...]}, {"any": [...]} or {"not": {...}}');
  } else if (!isGroup(conditions)) {
    add(
      ["conditions"],
      'must be a group at the top: {"all": [...]}, {"any": [...]} or {"not": {...}}',
    );
  } else {
    const counter = { comparisons: 0 };
    checkCondition(conditions, ["conditions"], 1, context, add, counter);
    if (counter.comparisons > MAX_COMPARISONS) {
      add(
        ["conditions"],
        `holds ${counter.comparisons} comparisons; at most ${MAX_COMPARISONS}: split it into rules`,
      );
    }
  }
  const parsed = ruleDefinitionSchema.safeParse(input);
  if (!parsed.success) {
    // The conditions were checked above, with better messages than zod's union gives.
    for (const issue of zodIssues(parsed.error)) {
      if (!issue.path.startsWith("conditions")) issues.addZod(issue);
    }
  } else {
    checkEvent(parsed.data.event, context, issues);
  }
  if (issues.list.length > 0 || !parsed.success) throw invalid(issues.list);
  return parsed.data;
}

function invalid(issues: FieldIssue[]): EngineError {
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  return new EngineError(
    "VALIDATION_FAILED",
    `Invalid rule: ${first.path}: ${first.message}${more}`,
    {
      issues,
    },
  );
}

function isGroup(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) &&
    ("all" in value || "any" in value || "not" in value);
}

function checkCondition(
  condition: unknown,
  path: Path,
  depth: number,
  context: RuleContext,
  add: Add,
  counter: { comparisons: number },
): void {
  if (condition === null || typeof condition !== "object" || Array.isArray(condition)) {
    add(path, 'must be a condition: {"fact", "operator", "value"} or an all/any/not group');
    return;
  }
  const node = condition as Record<string, unknown>;
  if (isGroup(node)) {
    if (depth > MAX_CONDITION_DEPTH) {
      add(path, `nests deeper than ${MAX_CONDITION_DEPTH} levels of all/any/not: flatten it`);
      return;
    }
    const kinds = ["all", "any", "not"].filter((k) => k in node);
    if (kinds.length > 1) add(path, `has ${kinds.join(" and ")}; a group has exactly one of them`);
    for (const key of Object.keys(node)) {
      if (!GROUP_KEYS.has(key)) {
        add(
          [...path, key],
          `is not part of a group; a group has all, any or not, and priority or name`,
        );
      }
    }
    checkPriority(node.priority, path, add);
    if ("not" in node) {
      checkCondition(node.not, [...path, "not"], depth + 1, context, add, counter);
      return;
    }
    const kind = kinds[0] as "all" | "any";
    const items = node[kind];
    if (!Array.isArray(items) || items.length === 0) {
      add([...path, kind], "must be a non-empty list of conditions");
      return;
    }
    items.forEach((item, i) =>
      checkCondition(item, [...path, kind, i], depth + 1, context, add, counter)
    );
    return;
  }
  counter.comparisons++;
  checkComparison(node, path, context, add);
}

function checkPriority(value: unknown, path: Path, add: Add): void {
  if (value !== undefined && !(Number.isInteger(value) && (value as number) >= 1)) {
    add([...path, "priority"], "must be a whole number of at least 1");
  }
}

function checkComparison(
  node: Record<string, unknown>,
  path: Path,
  context: RuleContext,
  add: Add,
): void {
  for (const key of Object.keys(node)) {
    if (!LEAF_KEYS.has(key)) {
      add(
        [...path, key],
        `is not part of a condition; a condition has fact, operator, value and optionally path, params, priority, name.${
          didYouMean(key, LEAF_KEYS)
        }`,
      );
    }
  }
  checkPriority(node.priority, path, add);
  const fact = factAt(node.fact, [...path, "fact"], context, add);
  const operator = node.operator;
  if (typeof operator !== "string" || !(operators as readonly string[]).includes(operator)) {
    add(
      [...path, "operator"],
      `must be one of ${operators.join(", ")}.${
        typeof operator === "string" ? didYouMean(operator, operators) : ""
      }`,
    );
    return;
  }
  if (node.path !== undefined) {
    add(
      [...path, "path"],
      "reads inside an object fact; every fact of the catalog is a plain value: remove path",
    );
  }
  if (!fact) return;
  if (!operatorsFor[fact.type].includes(operator as Operator)) {
    add(
      [...path, "operator"],
      `${operator} does not fit ${fact.name}, a ${fact.type}; use ${
        operatorsFor[fact.type].join(", ")
      }`,
    );
    return;
  }
  checkValue(node.value, fact, operator as Operator, [...path, "value"], context, add);
}

function factAt(
  value: unknown,
  path: Path,
  context: RuleContext,
  add: Add,
): FactDefinition | null {
  if (typeof value !== "string" || value === "") {
    add(path, "must name a fact of the catalog (GET /api/v1/facts lists them)");
    return null;
  }
  const fact = context.catalog.get(value);
  if (!fact) {
    add(
      path,
      `unknown fact "${value}".${didYouMean(value, context.catalog.keys())} ` +
        "GET /api/v1/facts lists every fact",
    );
    return null;
  }
  return fact;
}

function checkValue(
  value: unknown,
  fact: FactDefinition,
  operator: Operator,
  path: Path,
  context: RuleContext,
  add: Add,
): void {
  if (value === undefined) {
    add(path, `is required: the value to compare ${fact.name} with`);
    return;
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value) && "fact" in value) {
    const reference = value as Record<string, unknown>;
    for (const key of Object.keys(reference)) {
      if (key !== "fact" && key !== "path" && key !== "params") {
        add([...path, key], "is not part of a fact reference; it has fact, and optionally path");
      }
    }
    const other = factAt(reference.fact, [...path, "fact"], context, add);
    if (reference.path !== undefined) {
      add([...path, "path"], "reads inside an object fact; remove it");
    }
    if (operator === "in" || operator === "notIn") {
      // The value must be a list at run time (json-rules-engine calls its indexOf, and
      // anything else throws): only a list fact of strings, for a string fact, will do.
      if (other && !(other.type === "list" && fact.type === "string")) {
        add(
          [...path, "fact"],
          `${operator} with a fact as its value needs a list fact and a string fact; ` +
            `${other.name} is a ${other.type} and ${fact.name} a ${fact.type}. Use a literal list`,
        );
      }
      return;
    }
    const wanted = elementType(fact, operator);
    if (other && other.type !== wanted.type) {
      add(
        [...path, "fact"],
        `${other.name} is a ${other.type}; ${operator} on ${fact.name} needs ${wanted.describe}`,
      );
    }
    return;
  }
  if (operator === "in" || operator === "notIn") {
    if (!Array.isArray(value) || value.length === 0) {
      add(
        path,
        `${operator} needs a non-empty list of ${fact.type} values, e.g. ${example(fact, true)}`,
      );
      return;
    }
    value.forEach((item, i) => checkLiteral(item, fact, fact.type, [...path, i], add));
    return;
  }
  const wanted = elementType(fact, operator);
  checkLiteral(value, fact, wanted.type, path, add);
}

/** What a comparison's value must be: the fact's type, or for a list, one element. */
function elementType(
  fact: FactDefinition,
  operator: Operator,
): { type: FactType | "string"; describe: string } {
  if (fact.type === "list") {
    return { type: "string", describe: "one string (an element of the list)" };
  }
  if (operator === "in" || operator === "notIn") {
    return { type: fact.type, describe: `a list of ${fact.type} values` };
  }
  return { type: fact.type, describe: `a ${fact.type}` };
}

function checkLiteral(
  value: unknown,
  fact: FactDefinition,
  type: FactType | "string",
  path: Path,
  add: Add,
): void {
  const actual = value === null ? "null" : Array.isArray(value) ? "list" : typeof value;
  const fits = type === "number"
    ? typeof value === "number" && Number.isFinite(value)
    : type === "boolean"
    ? typeof value === "boolean"
    : typeof value === "string";
  if (!fits) {
    const expected = type === "list" ? "string" : type;
    add(
      path,
      `must be a ${expected} for ${fact.name}, not ${actual}: e.g. ${example(fact, false)}`,
    );
    return;
  }
  if (typeof value === "string" && fact.values && !fact.values.includes(value)) {
    add(
      path,
      `"${value}" is not a value of ${fact.name}.${didYouMean(value, fact.values)} It is one of ${
        fact.values.join(", ")
      }`,
    );
  }
}

function example(fact: FactDefinition, list: boolean): string {
  const one = fact.values?.[0] !== undefined
    ? JSON.stringify(fact.values[0])
    : fact.type === "number"
    ? "30"
    : fact.type === "boolean"
    ? "true"
    : '"starter"';
  return list ? `[${one}]` : one;
}

function checkEvent(event: RuleDefinition["event"], context: RuleContext, issues: Issues): void {
  if (event.type !== "intervention") return;
  const params = interventionParamsSchema.safeParse(event.params);
  if (!params.success) {
    for (const issue of zodIssues(params.error, ["event", "params"])) {
      const hint = issue.path === "event.params.channel" ? ` (one of ${channels.join(", ")})` : "";
      issues.addZod(issue, hint);
    }
    return;
  }
  const { template, channel } = params.data;
  const templateChannel = context.templates?.get(template);
  if (context.templates && templateChannel === undefined) {
    issues.add(
      ["event", "params", "template"],
      `unknown template "${template}".${didYouMean(template, context.templates.keys())} ` +
        "GET /api/v1/templates lists them",
    );
  } else if (templateChannel !== undefined && templateChannel !== channel) {
    issues.add(
      ["event", "params", "channel"],
      `template "${template}" is for ${templateChannel}, not ${channel}: send it on ` +
        `"${templateChannel}", or name a template for ${channel}`,
    );
  }
}
