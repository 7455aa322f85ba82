/**
 * The operators in words for the builder's operator choice: a success manager
 * reads "is at least", not "greaterThanInclusive". The rule keeps the
 * engine's name (the option's value, and what the JSON view shows).
 */
import type { Operator } from "../../rules/mod.ts";

const words: Readonly<Record<Operator, string>> = {
  equal: "is",
  notEqual: "is not",
  in: "is one of",
  notIn: "is none of",
  contains: "contains",
  doesNotContain: "does not contain",
  lessThan: "is less than",
  lessThanInclusive: "is at most",
  greaterThan: "is more than",
  greaterThanInclusive: "is at least",
};

/** The choice's text for `operator`, e.g. `is at least`; an unknown name as it is. */
export function operatorLabel(operator: string): string {
  return Object.hasOwn(words, operator) ? words[operator as Operator] : operator;
}

/** Every operator's text, for the page's script. */
export const operatorLabels: Readonly<Record<string, string>> = Object.fromEntries(
  Object.keys(words).map((operator) => [operator, operatorLabel(operator)]),
);
