/**
 * json-rules-engine itself, as the reference the compiled evaluator must
 * equal. Production uses it only for rules the compiler sends to fallback;
 * the differential tests use it for everything.
 */
import { Engine, type RuleProperties } from "json-rules-engine";
import type { CompilableRule, Firing } from "./compile.ts";

/** What the engine reports for one rule of a run. */
export interface ReferenceRuleResult {
  /** The rule's position in the rule set given to `runReference`. */
  readonly index: number;
  readonly fired: boolean;
  /** The event as the engine emitted it (a copy of the rule's). */
  readonly event: { readonly type: string; readonly params?: Record<string, unknown> };
  /** The engine's evaluated condition tree (`factResult`, `result` on leaves). */
  readonly conditions: unknown;
}

/**
 * One engine per rule set, with a queue: the engine keeps its run status
 * on the instance, so two overlapping runs on one engine can make the
 * first to finish cut the other short. Runs are therefore serialised, and
 * an engine whose run rejected is replaced: after rejecting, it goes on
 * evaluating the remaining priority groups in the background and then marks
 * itself finished, which would silently skip rules of the next run.
 */
interface EngineSlot {
  engine: Engine;
  queue: Promise<unknown>;
}

const engines = new WeakMap<readonly CompilableRule[], EngineSlot>();

function newEngine(rules: readonly CompilableRule[]): Engine {
  // Cloned because the engine writes parsed priorities back into conditions.
  // Our schema types optional keys as `?: T | undefined`; the engine's
  // typings do not, though it treats an absent and an undefined key alike.
  const definitions = rules.map((rule, index) => ({
    ...structuredClone(rule.definition),
    name: String(index),
  })) as RuleProperties[];
  return new Engine(definitions, { allowUndefinedFacts: true });
}

function slotFor(rules: readonly CompilableRule[]): EngineSlot {
  let slot = engines.get(rules);
  if (slot === undefined) {
    slot = { engine: newEngine(rules), queue: Promise.resolve() };
    engines.set(rules, slot);
  }
  return slot;
}

/**
 * Runs the engine over `facts`: the fired rules first, in the order the
 * engine reported them (priority groups, highest first; within a group in
 * whatever order their promises settled), then the rules that did not fire.
 * The engine is reused for the same `rules` array.
 */
export function runReference(
  rules: readonly CompilableRule[],
  facts: Readonly<Record<string, unknown>>,
): Promise<ReferenceRuleResult[]> {
  const slot = slotFor(rules);
  const run = slot.queue.then(() => slot.engine.run(facts));
  slot.queue = run.catch(() => {
    slot.engine = newEngine(rules);
  });
  return run.then(({ results, failureResults }) =>
    [...results, ...failureResults].map((result) => ({
      index: Number(result.name),
      fired: result.result === true,
      event: result.event ?? { type: "unknown" },
      conditions: result.conditions,
    }))
  );
}

/** The firings json-rules-engine produces for `facts`, in its event order. */
export async function evaluateWithReference(
  rules: readonly CompilableRule[],
  facts: Readonly<Record<string, unknown>>,
): Promise<Firing[]> {
  const results = await runReference(rules, facts);
  return results.filter((result) => result.fired).map(({ index, event }) => {
    const rule = rules[index];
    if (rule === undefined) throw new Error(`engine reported unknown rule ${index}`);
    return {
      ruleId: rule.id,
      version: rule.version,
      priority: enginePriority(rule.definition.priority),
      event: { type: event.type, params: event.params ?? {} },
    };
  });
}

/** A rule's priority as the engine reads it (`parseInt(priority || 1)`). */
export function enginePriority(priority: unknown): number {
  return Number.parseInt(String(priority || 1), 10);
}
