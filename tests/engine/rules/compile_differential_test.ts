/**
 * Differential test: thousands of random rules and fact sets, evaluated by
 * the compiled evaluator and by json-rules-engine itself, must give the same
 * firings (or both fail). Random because hand-picked cases only cover the
 * coercions we already thought of. The suite runs a fixed seed, so CI is
 * repeatable; explore others with RULES_DIFF_SEED=random (or a number), and
 * reproduce a failure with RULES_DIFF_SEED=<seed printed in the message>.
 */
import { type CompilableRule, compileRuleSet, type Firing } from "../../../engine/rules/compile.ts";
import { evaluateWithReference, runReference } from "../../../engine/rules/reference.ts";
import { type Condition, type Operator, operators } from "../../../engine/rules/rule_schema.ts";
import { assert, assertEquals } from "../../helpers/assert.ts";

const FIXED_SEED = 20261126;
const seedSetting = Deno.env.get("RULES_DIFF_SEED");
const seed = seedSetting === undefined
  ? FIXED_SEED
  : seedSetting === "random"
  ? Math.floor(Math.random() * 2 ** 32)
  : Number(seedSetting);
const MIN_RULES = 3200;
const FACT_SETS_PER_RULE_SET = 8;

/** mulberry32: small, fast, good enough to spread test cases. */
function prng(initial: number): () => number {
  let state = initial >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = prng(seed);
const chance = (p: number) => random() < p;
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));

/** "constructor" checks that facts are not read from Object.prototype. */
const factNames = ["mrr", "seats", "plan", "tags", "profile", "active", "constructor"] as const;
const objectKeys = ["a", "b", "c", "0", "x y", "length"] as const;
const numbers = [0, 1, 2, 5, 10, -3, 2.5, 1000, Number.NaN, Number.POSITIVE_INFINITY];
const strings = ["10", "5", "2.5", "10abc", " 7", "", "abc", "pro", "free", "a", "true", "null"];

function primitive(): unknown {
  const roll = random();
  if (roll < 0.35) return pick(numbers);
  if (roll < 0.7) return pick(strings);
  if (roll < 0.82) return chance(0.5);
  if (roll < 0.94) return null;
  return undefined;
}

function factValue(depth = 0): unknown {
  const roll = random();
  if (depth >= 2 || roll < 0.6) return primitive();
  if (roll < 0.8) return Array.from({ length: between(0, 3) }, () => factValue(depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = between(0, 3); i > 0; i--) object[pick(objectKeys)] = factValue(depth + 1);
  return object;
}

function facts(): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const name of factNames) {
    if (chance(0.25)) continue; // missing
    result[name] = chance(0.3)
      ? { a: factValue(1), b: factValue(1), 0: factValue(1) }
      : factValue();
  }
  return result;
}

const supportedSteps = [".a", ".b", ".c", "[0]", "[1]", "['a']", '["x y"]', ".length", "['0']"];
const unsupportedPaths = ["$..a", "$.*", "$.a[*]", "$[0:2]", "$['a','b']", "$.a.^"];
let unsupportedPathCount = 0;

function jsonPath(): string {
  if (chance(0.04)) {
    unsupportedPathCount++;
    return pick(unsupportedPaths);
  }
  let path = "$";
  for (let i = between(1, 3); i > 0; i--) path += pick(supportedSteps);
  return path;
}

function factReference(): Record<string, unknown> {
  const reference: Record<string, unknown> = { fact: pick(factNames) };
  if (chance(0.4)) reference.path = jsonPath();
  return reference;
}

const operatorUse = new Map<Operator, number>();

function leaf(): Condition {
  const operator = pick(operators);
  operatorUse.set(operator, (operatorUse.get(operator) ?? 0) + 1);
  let value: unknown;
  const roll = random();
  if (operator === "in" || operator === "notIn") {
    // Anything but an array or a string makes the engine throw, so those are rare.
    if (roll < 0.78) value = Array.from({ length: between(0, 4) }, () => primitive());
    else if (roll < 0.95) value = pick(strings);
    else if (roll < 0.965) value = primitive();
    else value = factReference();
  } else {
    value = roll < 0.7 ? factValue(1) : factReference();
  }
  const condition: Extract<Condition, { operator: unknown }> = {
    fact: pick(factNames),
    operator,
    value,
  };
  if (chance(0.3)) condition.path = jsonPath();
  if (chance(0.3)) condition.priority = between(1, 3);
  return condition;
}

function condition(depth: number): Condition {
  if (depth >= 4 || chance(0.45)) return leaf();
  return group(depth);
}

function group(depth: number): Condition {
  const roll = random();
  const extras = chance(0.3) ? { priority: between(1, 3) } : {};
  if (roll < 0.2) return { not: condition(depth + 1), ...extras };
  const children = Array.from(
    { length: chance(0.05) ? 0 : between(1, 4) },
    () => condition(depth + 1),
  );
  return roll < 0.6 ? { all: children, ...extras } : { any: children, ...extras };
}

function ruleSet(): CompilableRule[] {
  return Array.from({ length: between(1, 8) }, (_, i) => {
    const top = group(1) as CompilableRule["definition"]["conditions"];
    return {
      id: `r${i}`,
      version: between(1, 3),
      definition: {
        conditions: top,
        event: {
          type: pick(["intervention", "tag_customer"]),
          params: { n: i, tag: pick(strings) },
        },
        priority: pick([1, 1, 2, 2, 3, 10]),
      },
    };
  });
}

type Outcome = { ok: true; firings: Firing[] } | { ok: false; error: string };

async function settle(run: () => Firing[] | Promise<Firing[]>): Promise<Outcome> {
  try {
    return { ok: true, firings: await run() };
  } catch (error) {
    return { ok: false, error: String(error) };
  }
}

/** Priority sequence exactly; within a priority, the set of rules; events by rule. */
function shape(firings: readonly Firing[]) {
  const byPriority = new Map<number, string[]>();
  for (const f of firings) {
    byPriority.set(f.priority, [...(byPriority.get(f.priority) ?? []), f.ruleId]);
  }
  return {
    priorities: firings.map((f) => f.priority),
    rulesByPriority: [...byPriority].map(([p, ids]) => [p, ids.toSorted()]),
    events: firings.map((f) => [f.ruleId, f.version, f.event] as const)
      .toSorted((a, b) => a[0].localeCompare(b[0])),
  };
}

/** The engine's evaluated condition at one of our leaf paths (`conditions.all[1].not`). */
function engineCondition(tree: unknown, path: string): Record<string, unknown> {
  let node = { conditions: tree } as unknown;
  for (const part of path.split(".")) {
    const [, key, index] = /^(\w+)(?:\[(\d+)\])?$/.exec(part)!;
    node = (node as Record<string, unknown>)[key!];
    if (index !== undefined) node = (node as unknown[])[Number(index)];
  }
  return node as Record<string, unknown>;
}

Deno.test(`compiled evaluator equals json-rules-engine on random rules (seed ${seed})`, async () => {
  let rules = 0;
  let cases = 0;
  let rejected = 0;
  let fallbackRules = 0;
  let explained = 0;
  let firings = 0;
  for (let set = 0; rules < MIN_RULES; set++) {
    const ruleSetRules = ruleSet();
    rules += ruleSetRules.length;
    const compiled = compileRuleSet(ruleSetRules);
    fallbackRules += compiled.fallback.length;
    for (let n = 0; n < FACT_SETS_PER_RULE_SET; n++) {
      const factSet = facts();
      const where = () =>
        `seed ${seed}, rule set ${set}, fact set ${n}\nrules: ${
          JSON.stringify(ruleSetRules)
        }\nfacts: ${Deno.inspect(factSet)}`;
      cases++;
      const expected = await settle(() => evaluateWithReference(ruleSetRules, factSet));
      const actual = await settle(() =>
        compiled.fallback.length > 0 ? compiled.evaluateAll(factSet) : compiled.evaluate(factSet)
      );
      assertEquals(
        actual.ok,
        expected.ok,
        `one evaluator failed: ${Deno.inspect(actual)} vs ${Deno.inspect(expected)}; ${where()}`,
      );
      if (!actual.ok || !expected.ok) {
        rejected++;
        continue;
      }
      assertEquals(shape(actual.firings), shape(expected.firings), where());
      firings += actual.firings.length;
      const order = actual.firings.map((f) => [-f.priority, Number(f.ruleId.slice(1))]);
      assertEquals(order, order.toSorted((a, b) => a[0]! - b[0]! || a[1]! - b[1]!), where());

      if (n % 3 !== 0) continue;
      const engineResults = await runReference(ruleSetRules, factSet);
      const explanations = compiled.explain(factSet);
      for (const result of engineResults) {
        const explanation = explanations[result.index]!;
        if (explanation.fired === null) continue;
        explained++;
        assertEquals(explanation.fired, result.fired, where());
        for (const leaf of explanation.conditions) {
          const engineLeaf = engineCondition(result.conditions, leaf.path);
          assertEquals(leaf.held, engineLeaf.result ?? null, `${leaf.path}; ${where()}`);
          if (leaf.held !== null) {
            assertEquals(leaf.factValue, engineLeaf.factResult, `${leaf.path}; ${where()}`);
          }
        }
      }
    }
  }
  console.log(
    `seed ${seed}: ${rules} rules, ${cases} cases, ${rejected} rejected by both, ` +
      `${firings} firings, ${fallbackRules} fallback rules, ${explained} rule explanations checked`,
  );
  for (const operator of operators) assert((operatorUse.get(operator) ?? 0) > 0, operator);
  assert(unsupportedPathCount > 0 && fallbackRules > 0, "no fallback exercised");
  assert(rejected < cases / 4, `too many rejected cases: ${rejected} of ${cases}`);
});
