/**
 * The compiled rule evaluator: turns json-rules-engine rules into plain,
 * synchronous predicate closures built once, so scoring thousands of
 * customers does not pay for the engine's promises and almanac per call.
 *
 * It must equal json-rules-engine 7.3.1 (with `allowUndefinedFacts`), wrong
 * types and all; the differential test holds it to that. What it mirrors:
 * - operators are the engine's own callbacks (operators.ts);
 * - a missing fact is `undefined`; a `path` is applied only when the fact
 *   is a non-null object, otherwise the raw fact value is compared;
 * - a value that is an object with an own `fact` key is a fact reference;
 * - inside `all`/`any`, conditions are grouped by `priority` (default 1),
 *   highest first; a later group runs only if earlier ones did not decide.
 *   Inside a group the engine evaluates every condition, so if one of them
 *   can throw (`in` on a non-array value) we evaluate every one too, and
 *   throw where the engine would reject;
 * - empty `all` and empty `any` both hold.
 * Facts are taken to be data: no getters, proxies or function-valued facts
 * (the engine would call a function as a computed fact).
 *
 * Rules it cannot reproduce exactly are listed in `fallback` and evaluated
 * by the engine itself in `evaluateAll`.
 */
import { generateEvaluator } from "./codegen.ts";
import { type JsonPathKeys, parseJsonPath, resolveJsonPath } from "./json_path.ts";
import { isTotal, type OperatorTest, operatorTest } from "./operators.ts";
import { runReference } from "./reference.ts";
import type { Condition, Operator, RuleDefinition } from "./rule_schema.ts";

/** A stored rule, ready to compile. */
export interface CompilableRule {
  id: string;
  version: number;
  definition: RuleDefinition;
}

/** A rule whose conditions held: the event to act on. */
export interface Firing {
  readonly ruleId: string;
  readonly version: number;
  readonly priority: number;
  readonly event: { readonly type: string; readonly params: Readonly<Record<string, unknown>> };
}

/** One leaf condition, as evaluated for `explain`. */
export interface LeafExplanation {
  /** Where the leaf sits in the definition, e.g. `conditions.all[2].any[0]`. */
  readonly path: string;
  readonly fact: string;
  readonly factPath?: string;
  readonly operator: Operator;
  /** Whether it held; `null` when an earlier priority group already decided. */
  readonly held: boolean | null;
  /** The fact value compared (after `factPath`), when evaluated. */
  readonly factValue?: unknown;
  /** The value compared against (a fact reference resolved), when evaluated. */
  readonly value?: unknown;
}

/** Why a rule fired or not. */
export interface RuleExplanation {
  readonly ruleId: string;
  readonly version: number;
  readonly priority: number;
  /** `null` for a fallback rule, which only the engine evaluates. */
  readonly fired: boolean | null;
  readonly fallbackReason?: string;
  readonly conditions: readonly LeafExplanation[];
}

/** A compiled rule set. */
export interface CompiledRuleSet {
  /**
   * The firings of the compiled rules, by priority (highest first), ties in
   * input order. Fallback rules are not evaluated here: use `evaluateAll`.
   * Throws where json-rules-engine's run would reject. The Firing objects
   * are built once and frozen; they are shared between calls.
   */
  evaluate(facts: Facts): Firing[];
  /** Every rule's outcome and leaf-by-leaf reasons, for "why did this fire". */
  explain(facts: Facts): RuleExplanation[];
  /** Rules evaluated by json-rules-engine instead, and why. */
  readonly fallback: ReadonlyArray<{ ruleId: string; reason: string }>;
  /** `evaluate` plus the fallback rules, merged in the same order. */
  evaluateAll(facts: Facts): Promise<Firing[]>;
}

/** The facts of one customer, by fact name. */
export type Facts = Readonly<Record<string, unknown>>;
type Read = (facts: Facts) => unknown;
/** A compiled condition. */
export type Predicate = (facts: Facts) => boolean;

interface NodeBase {
  readonly path: string;
  /** The condition's priority inside its group, as the engine parses it. */
  readonly priority: number;
  /** True when no leaf below can throw, so short-circuiting is invisible. */
  readonly total: boolean;
}

/** A comparison, compiled. */
export interface LeafNode extends NodeBase {
  readonly kind: "leaf";
  /** Position among the rule's leaves, in definition order. */
  readonly order: number;
  readonly fact: string;
  readonly factPath: string | undefined;
  readonly operator: Operator;
  readonly readFact: Read;
  readonly readValue: Read;
  readonly test: OperatorTest;
  /** Whether the value is another fact's; else `literal` is the value. */
  readonly isReference: boolean;
  readonly literal: unknown;
}

interface GroupNode extends NodeBase {
  readonly kind: "all" | "any";
  /** The children in priority groups, highest priority first. */
  readonly stages: readonly (readonly ConditionNode[])[];
}

interface NotNode extends NodeBase {
  readonly kind: "not";
  readonly child: ConditionNode;
}

/** A condition of a rule, compiled. */
export type ConditionNode = LeafNode | GroupNode | NotNode;

/** Thrown while compiling a rule we cannot reproduce exactly. */
class Unsupported extends Error {}

interface CompiledRule {
  readonly index: number;
  readonly rule: CompilableRule;
  readonly firing: Firing;
  readonly root: ConditionNode;
  readonly leaves: readonly LeafNode[];
  readonly holds: Predicate;
}

interface FallbackRule {
  readonly index: number;
  readonly rule: CompilableRule;
  readonly priority: number;
  readonly reason: string;
}

/** Compiles `rules` once; the result is reused for every fact set. */
export function compileRuleSet(rules: readonly CompilableRule[]): CompiledRuleSet {
  const compiled: CompiledRule[] = [];
  const fallbackRules: FallbackRule[] = [];
  rules.forEach((rule, index) => {
    try {
      compiled.push(compileRule(rule, index));
    } catch (error) {
      if (!(error instanceof Unsupported)) throw error;
      const priority = Number.parseInt(String(rule.definition.priority || 1), 10);
      fallbackRules.push({ index, rule, priority, reason: error.message });
    }
  });
  const byPriority = <T extends { index: number; firingPriority: number }>(a: T, b: T) =>
    b.firingPriority - a.firingPriority || a.index - b.index;
  const ordered = compiled.map((c) => ({ ...c, firingPriority: c.firing.priority }))
    .sort(byPriority);
  const fallbackSet: readonly CompilableRule[] = fallbackRules.map((f) => f.rule);
  const everything = [
    ...ordered.map((c) => ({ index: c.index, firingPriority: c.firingPriority, compiled: c })),
    ...fallbackRules.map((f) => ({ index: f.index, firingPriority: f.priority, compiled: null })),
  ].sort(byPriority);
  const holds = ordered.map((c) => c.holds);
  const firings = ordered.map((c) => c.firing);
  const generated = generateEvaluator(ordered, predicate);

  function evaluate(facts: Facts): Firing[] {
    checkFactNames(facts);
    if (generated) return generated(facts);
    const fired: Firing[] = [];
    for (let i = 0; i < holds.length; i++) {
      if (holds[i]!(facts)) fired.push(firings[i]!);
    }
    return fired;
  }

  async function evaluateAll(facts: Facts): Promise<Firing[]> {
    if (fallbackRules.length === 0) return evaluate(facts);
    const compiledFired = new Set(evaluate(facts));
    const results = await runReference(fallbackSet, facts);
    const fallbackFired = new Set(
      results.filter((r) => r.fired).map((r) => fallbackRules[r.index]!.index),
    );
    const merged: Firing[] = [];
    for (const entry of everything) {
      if (entry.compiled !== null) {
        if (compiledFired.has(entry.compiled.firing)) merged.push(entry.compiled.firing);
      } else if (fallbackFired.has(entry.index)) {
        merged.push(fallbackFiring(rules[entry.index]!, entry.firingPriority));
      }
    }
    return merged;
  }

  function explain(facts: Facts): RuleExplanation[] {
    checkFactNames(facts);
    const byIndex = new Map<number, RuleExplanation>();
    for (const c of compiled) byIndex.set(c.index, explainRule(c, facts));
    for (const f of fallbackRules) {
      byIndex.set(f.index, {
        ruleId: f.rule.id,
        version: f.rule.version,
        priority: f.priority,
        fired: null,
        fallbackReason: f.reason,
        conditions: [],
      });
    }
    return rules.map((_, index) => byIndex.get(index)!);
  }

  return {
    evaluate,
    explain,
    evaluateAll,
    fallback: fallbackRules.map((f) => ({ ruleId: f.rule.id, reason: f.reason })),
  };
}

/**
 * The engine turns every key of the facts object into a fact and refuses
 * an empty id, rejecting the whole run; we throw the same way.
 */
function checkFactNames(facts: Facts): void {
  if (Object.hasOwn(facts, "")) throw new Error("factId required");
}

function fallbackFiring(rule: CompilableRule, priority: number): Firing {
  return {
    ruleId: rule.id,
    version: rule.version,
    priority,
    event: { type: rule.definition.event.type, params: rule.definition.event.params ?? {} },
  };
}

function compileRule(rule: CompilableRule, index: number): CompiledRule {
  const { definition } = rule;
  const priority = Number.parseInt(String(definition.priority || 1), 10);
  if (!(priority > 0)) throw new Unsupported(`rule priority ${definition.priority} is invalid`);
  const leaves: LeafNode[] = [];
  const root = compileCondition(definition.conditions, "conditions", leaves);
  if (root.kind === "leaf") throw new Unsupported("top condition must be all, any or not");
  const firing: Firing = deepFreeze({
    ruleId: rule.id,
    version: rule.version,
    priority,
    event: {
      type: definition.event.type,
      params: structuredClone(definition.event.params ?? {}),
    },
  });
  return { index, rule, firing, root, leaves, holds: predicate(root) };
}

/** The engine's condition priority: `parseInt(priority) || 1`. */
function conditionPriority(priority: unknown): number {
  return Number.parseInt(String(priority), 10) || 1;
}

function compileCondition(condition: Condition, path: string, leaves: LeafNode[]): ConditionNode {
  const priority = conditionPriority(condition.priority);
  // The engine checks any, then all, then not (Condition.booleanOperator).
  if ("any" in condition || "all" in condition) {
    const kind = "any" in condition ? "any" : "all";
    const children = "any" in condition ? condition.any : condition.all;
    if (!Array.isArray(children)) throw new Unsupported(`${path}.${kind} is not an array`);
    const nodes = children.map((child, i) =>
      compileCondition(child, `${path}.${kind}[${i}]`, leaves)
    );
    const priorities = [...new Set(nodes.map((n) => n.priority))].sort((a, b) => b - a);
    const stages = priorities.map((p) => nodes.filter((n) => n.priority === p));
    return { kind, path, priority, total: nodes.every((n) => n.total), stages };
  }
  if ("not" in condition) {
    const child = compileCondition(condition.not, `${path}.not`, leaves);
    return { kind: "not", path, priority, total: child.total, child };
  }
  const leaf = compileLeaf(condition, path, priority, leaves.length);
  leaves.push(leaf);
  return leaf;
}

type Leaf = Extract<Condition, { operator: unknown }>;

function compileLeaf(leaf: Leaf, path: string, priority: number, order: number): LeafNode {
  const test = operatorTest(leaf.operator);
  if (test === undefined) throw new Unsupported(`${path}: unknown operator ${leaf.operator}`);
  const readFact = factReader(leaf.fact, leaf.path, path);
  const value: unknown = leaf.value;
  const reference = isFactReference(value);
  const readValue: Read = reference ? referenceReader(value, path) : () => value;
  return {
    kind: "leaf",
    path,
    priority,
    total: isTotal(leaf.operator, value, reference),
    order,
    fact: leaf.fact,
    factPath: leaf.path || undefined,
    operator: leaf.operator,
    readFact,
    readValue,
    test,
    isReference: reference,
    literal: value,
  };
}

/** The engine's test for a fact reference: an object with an own `fact`. */
function isFactReference(value: unknown): value is { fact: unknown; path?: unknown } {
  return value != null && typeof value === "object" && Object.hasOwn(value, "fact");
}

function referenceReader(reference: { fact: unknown; path?: unknown }, path: string): Read {
  // The engine looks the id up in a Map of string keys: anything else is missing.
  if (typeof reference.fact !== "string") return () => undefined;
  const factPath = reference.path;
  if (!factPath) return factReader(reference.fact, undefined, `${path}.value`);
  if (typeof factPath !== "string") throw new Unsupported(`${path}.value: path is not a string`);
  return factReader(reference.fact, factPath, `${path}.value`);
}

/**
 * Reads a fact as the engine's almanac does: missing facts are undefined,
 * and the path is applied only to non-null objects (arrays included);
 * any other value is returned as it is, path or not.
 */
function factReader(fact: string, factPath: string | undefined, where: string): Read {
  if (!factPath) return (facts) => Object.hasOwn(facts, fact) ? facts[fact] : undefined;
  const keys: JsonPathKeys | undefined = parseJsonPath(factPath);
  if (keys === undefined) throw new Unsupported(`${where}: JSONPath ${factPath} is not supported`);
  return (facts) => {
    const value = Object.hasOwn(facts, fact) ? facts[fact] : undefined;
    return value != null && typeof value === "object" ? resolveJsonPath(value, keys) : value;
  };
}

function predicate(node: ConditionNode): Predicate {
  switch (node.kind) {
    case "leaf": {
      const fast = fastLeaf(node);
      if (fast) return fast;
      const { readFact, readValue, test } = node;
      return (facts) => test(readFact(facts), readValue(facts));
    }
    case "not": {
      const child = predicate(node.child);
      return (facts) => !child(facts);
    }
    case "all": {
      const stages = node.stages.map((stage) => stagePredicate(stage, "all"));
      // One priority group (the usual case): the group is its stage.
      if (stages.length === 1) return stages[0]!;
      return (facts) => {
        for (let i = 0; i < stages.length; i++) if (!stages[i]!(facts)) return false;
        return true;
      };
    }
    case "any": {
      const stages = node.stages.map((stage) => stagePredicate(stage, "any"));
      // An empty `any` holds in the engine (it starts from "no conditions: true").
      if (stages.length === 0) return () => true;
      if (stages.length === 1) return stages[0]!;
      return (facts) => {
        for (let i = 0; i < stages.length; i++) if (stages[i]!(facts)) return true;
        return false;
      };
    }
  }
}

/**
 * A leaf specialized for the common case — a plain fact compared with a
 * literal — so the hot loop reads the property and compares inline instead
 * of calling a reader, a value reader and an operator. Each keeps the
 * engine's semantics: the number fast paths give what the validator and
 * comparison give for a number, and anything else takes the general test.
 * Undefined (take the general path) for paths, fact references and fact
 * names that are also properties of Object.prototype (which a plain read
 * would find on the prototype).
 */
function fastLeaf(node: LeafNode): Predicate | undefined {
  if (node.factPath !== undefined || node.isReference || node.fact in Object.prototype) {
    return undefined;
  }
  const name = node.fact;
  const v = node.literal;
  const test = node.test;
  switch (node.operator) {
    case "equal":
      return (f) => f[name] === v;
    case "notEqual":
      return (f) => f[name] !== v;
    case "lessThan":
      return (f) => {
        const a = f[name];
        return typeof a === "number" ? a < (v as number) : test(a, v);
      };
    case "lessThanInclusive":
      return (f) => {
        const a = f[name];
        return typeof a === "number" ? a <= (v as number) : test(a, v);
      };
    case "greaterThan":
      return (f) => {
        const a = f[name];
        return typeof a === "number" ? a > (v as number) : test(a, v);
      };
    case "greaterThanInclusive":
      return (f) => {
        const a = f[name];
        return typeof a === "number" ? a >= (v as number) : test(a, v);
      };
    case "contains":
      return (f) => {
        const a = f[name];
        return Array.isArray(a) && a.indexOf(v) > -1;
      };
    case "doesNotContain":
      return (f) => {
        const a = f[name];
        return Array.isArray(a) && a.indexOf(v) === -1;
      };
    case "in":
    case "notIn": {
      // A literal list only: on anything else the engine's indexOf may throw.
      if (!Array.isArray(v)) return undefined;
      const list: readonly unknown[] = v;
      return node.operator === "in"
        ? (f) => list.indexOf(f[name]) > -1
        : (f) => list.indexOf(f[name]) === -1;
    }
  }
}

/** One priority group of an all/any: every/some of its conditions. */
function stagePredicate(stage: readonly ConditionNode[], kind: "all" | "any"): Predicate {
  const tests = stage.map(predicate);
  if (tests.length === 1) return tests[0]!;
  if (stage.every((n) => n.total)) {
    // Short groups unrolled: no loop or array read in the hot path.
    const [t0, t1, t2] = tests as [Predicate, Predicate, Predicate];
    if (tests.length === 2) {
      return kind === "all" ? (f) => t0(f) && t1(f) : (f) => t0(f) || t1(f);
    }
    if (tests.length === 3) {
      return kind === "all" ? (f) => t0(f) && t1(f) && t2(f) : (f) => t0(f) || t1(f) || t2(f);
    }
    return kind === "all"
      ? (facts) => {
        for (let i = 0; i < tests.length; i++) if (!tests[i]!(facts)) return false;
        return true;
      }
      : (facts) => {
        for (let i = 0; i < tests.length; i++) if (tests[i]!(facts)) return true;
        return false;
      };
  }
  // Something here may throw: evaluate all of it, as the engine does.
  return kind === "all"
    ? (facts) => {
      let held = true;
      for (let i = 0; i < tests.length; i++) if (!tests[i]!(facts)) held = false;
      return held;
    }
    : (facts) => {
      let held = false;
      for (let i = 0; i < tests.length; i++) if (tests[i]!(facts)) held = true;
      return held;
    };
}

function explainRule(compiled: CompiledRule, facts: Facts): RuleExplanation {
  const conditions: LeafExplanation[] = compiled.leaves.map((leaf) => ({
    path: leaf.path,
    fact: leaf.fact,
    ...(leaf.factPath === undefined ? {} : { factPath: leaf.factPath }),
    operator: leaf.operator,
    held: null,
  }));
  const fired = explainNode(compiled.root, facts, conditions);
  const { ruleId, version, priority } = compiled.firing;
  return { ruleId, version, priority, fired, conditions };
}

/** Evaluates like the engine, whole priority groups at a time, recording leaves. */
function explainNode(node: ConditionNode, facts: Facts, out: LeafExplanation[]): boolean {
  switch (node.kind) {
    case "leaf": {
      const factValue = node.readFact(facts);
      const value = node.readValue(facts);
      const held = node.test(factValue, value);
      out[node.order] = { ...out[node.order]!, held, factValue, value };
      return held;
    }
    case "not":
      return !explainNode(node.child, facts, out);
    case "all":
    case "any": {
      let held = node.kind === "all";
      for (const stage of node.stages) {
        if (held !== (node.kind === "all")) break;
        const results = stage.map((child) => explainNode(child, facts, out));
        held = node.kind === "all" ? results.every(Boolean) : results.some(Boolean);
      }
      return node.stages.length === 0 ? true : held;
    }
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
