/**
 * The compiled rule set as one generated function, the way a developer
 * would write the rules by hand: `if (f["tenureDays"] <= 45 && …) out.push(…)`.
 * Closures per comparison cost a call each that the JIT cannot inline (every
 * rule shares the same call sites), which left the closure evaluator at a
 * third of hand-written speed (bench/README.md, "Rule evaluation").
 *
 * Safe by construction, as schema compilers like ajv do it: nothing a rule
 * author wrote becomes code. Fact names enter the source only as
 * JSON.stringify'd string literals; values stay in an array the code indexes
 * (`c[3]`); operators come from a closed list. Anything else — paths, fact
 * references, conditions that may throw — is called as its closure.
 */
import type { ConditionNode, Facts, Firing, LeafNode, Predicate } from "./compile.ts";
import type { OperatorTest } from "./operators.ts";

/** One rule to generate: its condition tree, its firing, and its closure as a fallback. */
export interface GeneratedRule {
  root: ConditionNode;
  firing: Firing;
  holds: Predicate;
}

/** Builds code for one rule set; the arrays are what the generated code may reference. */
class Generator {
  readonly constants: unknown[] = [];
  readonly tests: OperatorTest[] = [];
  readonly predicates: Predicate[] = [];

  constructor(readonly closureOf: (node: ConditionNode) => Predicate) {}

  /** An expression for `node`; only for nodes whose subtree cannot throw. */
  expression(node: ConditionNode): string {
    switch (node.kind) {
      case "leaf":
        return this.leaf(node);
      case "not":
        return `(!${this.expression(node.child)})`;
      case "all":
      case "any": {
        const join = node.kind === "all" ? " && " : " || ";
        // An empty all or any holds (json-rules-engine starts from true for both).
        if (node.stages.length === 0) return "true";
        const stages = node.stages.map((stage) =>
          `(${stage.map((child) => this.expression(child)).join(join)})`
        );
        return `(${stages.join(join)})`;
      }
    }
  }

  private leaf(node: LeafNode): string {
    const general = node.factPath !== undefined || node.isReference ||
      node.fact in Object.prototype;
    if (general) return this.call(node);
    const read = `f[${JSON.stringify(node.fact)}]`;
    const v = `c[${this.constants.push(node.literal) - 1}]`;
    const test = () => `t[${this.tests.push(node.test) - 1}]`;
    switch (node.operator) {
      case "equal":
        return `(${read} === ${v})`;
      case "notEqual":
        return `(${read} !== ${v})`;
      case "lessThan":
        return `(typeof (a = ${read}) === "number" ? a < ${v} : ${test()}(a, ${v}))`;
      case "lessThanInclusive":
        return `(typeof (a = ${read}) === "number" ? a <= ${v} : ${test()}(a, ${v}))`;
      case "greaterThan":
        return `(typeof (a = ${read}) === "number" ? a > ${v} : ${test()}(a, ${v}))`;
      case "greaterThanInclusive":
        return `(typeof (a = ${read}) === "number" ? a >= ${v} : ${test()}(a, ${v}))`;
      case "contains":
        return `(Array.isArray(a = ${read}) && a.indexOf(${v}) > -1)`;
      case "doesNotContain":
        return `(Array.isArray(a = ${read}) && a.indexOf(${v}) === -1)`;
      case "in":
      case "notIn":
        // Only a literal list: anything else may throw, and takes the closure.
        if (!Array.isArray(node.literal)) return this.call(node);
        return node.operator === "in"
          ? `(${v}.indexOf(${read}) > -1)`
          : `(${v}.indexOf(${read}) === -1)`;
    }
  }

  private call(node: ConditionNode): string {
    return `p[${this.predicates.push(this.closureOf(node)) - 1}](f)`;
  }
}

/**
 * One function that evaluates `rules` in the order given and returns the
 * firings of those that hold, or undefined when the platform refuses
 * generated code (then the caller keeps its closures).
 */
export function generateEvaluator(
  rules: readonly GeneratedRule[],
  closureOf: (node: ConditionNode) => Predicate,
): ((facts: Facts) => Firing[]) | undefined {
  const generator = new Generator(closureOf);
  const firings = rules.map((rule) => rule.firing);
  const lines = rules.map((rule, i) => {
    // A rule that may throw keeps the closure, which evaluates like the engine.
    const test = rule.root.total
      ? generator.expression(rule.root)
      : `p[${generator.predicates.push(rule.holds) - 1}](f)`;
    return `  if (${test}) out.push(F[${i}]);`;
  });
  const source = `"use strict";
return function evaluateRules(f) {
  let a;
  const out = [];
${lines.join("\n")}
  return out;
};`;
  try {
    // A Function built from the source above; see the module comment for why it is safe.
    const build = new Function("c", "t", "p", "F", source) as (
      c: unknown[],
      t: OperatorTest[],
      p: Predicate[],
      F: Firing[],
    ) => (facts: Facts) => Firing[];
    return build(generator.constants, generator.tests, generator.predicates, firings);
  } catch {
    return undefined;
  }
}
