/**
 * json-rules-engine 7.3.1's default operators, copied to the letter
 * (dist/engine-default-operators.js and operator.js) so the compiled
 * evaluator coerces, compares and throws exactly as the engine does.
 * "Improving" any of them (say, making `lessThan` numeric) would make the
 * two evaluators disagree on wrong-typed facts.
 */
import type { Operator } from "./rule_schema.ts";

/** An operator: the fact value (left) against the condition value (right). */
export type OperatorTest = (factValue: unknown, value: unknown) => boolean;

/**
 * The engine's guard for numeric operators: anything `parseFloat` can read
 * a leading number from passes, so `"12abc"` and `[3]` pass, `null`, `true`
 * and `"abc"` fail (and the condition is then false).
 */
function numberValidator(factValue: unknown): boolean {
  // The common case without the string round trip: for a number, parseFloat
  // gives the number back (NaN for NaN), so only NaN fails.
  if (typeof factValue === "number") return !Number.isNaN(factValue);
  // parseFloat takes a string; the engine passes anything and lets it coerce.
  return Number.parseFloat(factValue as string).toString() !== "NaN";
}

/** Something with an `indexOf`, or not: the engine calls it regardless. */
interface Searchable {
  indexOf(item: unknown): number;
}

// The relational operators below compare whatever they are given with JS
// coercion (`"10" < "9"` is true), as the engine does; `as number` only
// satisfies the type checker.
const tests: Readonly<Record<Operator, OperatorTest>> = {
  equal: (a, b) => a === b,
  notEqual: (a, b) => a !== b,
  // `b` may be a string (substring test after coercing `a`) or anything
  // else, in which case the engine throws a TypeError; so do we.
  in: (a, b) => (b as Searchable).indexOf(a) > -1,
  notIn: (a, b) => (b as Searchable).indexOf(a) === -1,
  contains: (a, b) => Array.isArray(a) && a.indexOf(b) > -1,
  doesNotContain: (a, b) => Array.isArray(a) && a.indexOf(b) === -1,
  lessThan: (a, b) => numberValidator(a) && (a as number) < (b as number),
  lessThanInclusive: (a, b) => numberValidator(a) && (a as number) <= (b as number),
  greaterThan: (a, b) => numberValidator(a) && (a as number) > (b as number),
  greaterThanInclusive: (a, b) => numberValidator(a) && (a as number) >= (b as number),
};

/** The test for `operator`, or `undefined` for a name the engine does not know. */
export function operatorTest(operator: string): OperatorTest | undefined {
  return Object.hasOwn(tests, operator) ? tests[operator as Operator] : undefined;
}

/**
 * Whether an operator can never throw on data (facts are JSON-like values:
 * no symbols, no getters): then the compiled evaluator may stop at the first
 * decisive condition of a priority group, which the engine (evaluating the
 * whole group) cannot tell apart. The comparisons only coerce, which cannot
 * throw on data; `in`/`notIn` are total only when their value is a literal
 * array (on anything else `indexOf` may be missing).
 */
export function isTotal(operator: Operator, literalValue: unknown, isReference: boolean): boolean {
  if (operator === "in" || operator === "notIn") {
    return !isReference && Array.isArray(literalValue);
  }
  return true;
}
