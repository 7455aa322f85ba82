/**
 * Readable cases for the compiled evaluator: each operator, json-rules-engine's
 * surprising coercions, paths, fact references, priorities, explain and
 * fallback. Every case is also run through the engine, so these document
 * the engine's behaviour as much as ours.
 */
import { type CompilableRule, compileRuleSet } from "../../../engine/rules/compile.ts";
import { evaluateWithReference } from "../../../engine/rules/reference.ts";
import { evaluatorOf } from "../../../engine/rules/store.ts";
import type { Condition, RuleDefinition } from "../../../engine/rules/rule_schema.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "../../helpers/assert.ts";

type Facts = Record<string, unknown>;

function rule(
  id: string,
  conditions: RuleDefinition["conditions"],
  priority = 1,
): CompilableRule {
  return {
    id,
    version: 1,
    definition: { conditions, event: { type: "intervention", params: { rule: id } }, priority },
  };
}

/** Whether a one-rule set fires, asserting that the engine agrees. */
async function holds(condition: Condition, facts: Facts): Promise<boolean> {
  const rules = [rule("r", { all: [condition] })];
  const compiled = compileRuleSet(rules).evaluate(facts).length === 1;
  const reference = (await evaluateWithReference(rules, facts)).length === 1;
  assertEquals(compiled, reference, `engine disagrees on ${JSON.stringify(condition)}`);
  return compiled;
}

Deno.test("equal and notEqual are strict", async () => {
  assert(await holds({ fact: "plan", operator: "equal", value: "pro" }, { plan: "pro" }));
  assert(!(await holds({ fact: "seats", operator: "equal", value: 10 }, { seats: "10" })));
  assert(await holds({ fact: "seats", operator: "notEqual", value: 10 }, { seats: "10" }));
});

Deno.test("numeric operators accept anything parseFloat reads, then compare with JS coercion", async () => {
  const gt = (value: unknown, mrr: unknown) =>
    holds({ fact: "mrr", operator: "greaterThan", value }, { mrr });
  assert(await gt(5, 10));
  assert(await gt(5, "10abc") === false); // "10abc" > 5 is NaN > 5
  assert(await gt(5, "12")); // "12" > 5 coerces to 12
  assert(await gt("9", "10") === false); // string comparison: "10" < "9"
  assert(await gt(2, [3])); // parseFloat([3]) is 3 and [3] > 2
  assert(!(await gt(-1, null))); // null fails the validator although null > -1
  assert(!(await gt(0, true))); // true fails the validator
  assert(!(await gt(0, undefined)));
  assert(await holds({ fact: "mrr", operator: "lessThan", value: 5 }, { mrr: 4 }));
  assert(await holds({ fact: "mrr", operator: "lessThanInclusive", value: 5 }, { mrr: 5 }));
  assert(await holds({ fact: "mrr", operator: "greaterThanInclusive", value: 5 }, { mrr: 5 }));
});

Deno.test("in and notIn use value.indexOf: arrays, and substrings of a string", async () => {
  assert(await holds({ fact: "plan", operator: "in", value: ["pro", "team"] }, { plan: "pro" }));
  assert(await holds({ fact: "plan", operator: "notIn", value: ["pro"] }, { plan: "free" }));
  assert(await holds({ fact: "plan", operator: "in", value: "enterprise" }, { plan: "erp" }));
  assert(await holds({ fact: "seats", operator: "in", value: "x10y" }, { seats: 10 }));
  assert(await holds({ fact: "plan", operator: "notIn", value: ["pro"] }, {})); // missing
});

Deno.test("in with a value that has no indexOf throws, as the engine rejects", async () => {
  const rules = [rule("r", { all: [{ fact: "seats", operator: "in", value: 5 }] })];
  assertThrows(() => compileRuleSet(rules).evaluate({ seats: 5 }), TypeError);
  await assertRejects(() => evaluateWithReference(rules, { seats: 5 }), TypeError);
});

Deno.test("contains and doesNotContain need an array fact", async () => {
  assert(await holds({ fact: "tags", operator: "contains", value: "vip" }, { tags: ["vip"] }));
  assert(!(await holds({ fact: "tags", operator: "contains", value: "vip" }, { tags: "vip" })));
  assert(await holds({ fact: "tags", operator: "doesNotContain", value: "x" }, { tags: [] }));
  // A missing or non-array fact fails doesNotContain too.
  assert(!(await holds({ fact: "tags", operator: "doesNotContain", value: "x" }, {})));
});

Deno.test("missing facts are undefined, and never read from Object.prototype", async () => {
  assert(await holds({ fact: "mrr", operator: "equal", value: undefined }, {}));
  assert(await holds({ fact: "constructor", operator: "equal", value: undefined }, {}));
  assert(!(await holds({ fact: "mrr", operator: "lessThan", value: 1 }, {})));
});

Deno.test("paths apply to object facts; other facts are compared as they are", async () => {
  const profile = { plan: { tier: "gold" }, seats: [3, 7], "x y": 1 };
  assert(
    await holds({ fact: "profile", path: "$.plan.tier", operator: "equal", value: "gold" }, {
      profile,
    }),
  );
  assert(
    await holds({ fact: "profile", path: "$.seats[1]", operator: "equal", value: 7 }, {
      profile,
    }),
  );
  assert(
    await holds({ fact: "profile", path: "$['x y']", operator: "equal", value: 1 }, {
      profile,
    }),
  );
  assert(
    await holds({ fact: "profile", path: "$.nope.deeper", operator: "equal", value: undefined }, {
      profile,
    }),
  );
  // A string fact ignores the path entirely.
  assert(
    await holds({ fact: "profile", path: "$.plan", operator: "equal", value: "gold" }, {
      profile: "gold",
    }),
  );
});

Deno.test("a value with a fact key is that fact's value, optionally at a path", async () => {
  assert(
    await holds({ fact: "mrr", operator: "greaterThan", value: { fact: "target" } }, {
      mrr: 10,
      target: 5,
    }),
  );
  assert(
    await holds({
      fact: "mrr",
      operator: "greaterThan",
      value: { fact: "account", path: "$.floor" },
    }, { mrr: 10, account: { floor: 9 } }),
  );
  // The same object, referenced twice, is strictly equal to itself.
  assert(
    await holds({ fact: "profile", operator: "equal", value: { fact: "profile" } }, {
      profile: { a: 1 },
    }),
  );
});

Deno.test("not negates; an empty any holds, like an empty all", async () => {
  assert(await holds({ not: { fact: "plan", operator: "equal", value: "free" } }, { plan: "pro" }));
  assert(await holds({ any: [] }, {}));
  assert(await holds({ all: [] }, {}));
});

Deno.test("condition priority decides which conditions the engine evaluates", async () => {
  const throwing: Condition = { fact: "seats", operator: "in", value: 5, priority: 1 };
  const failing: Condition = { fact: "plan", operator: "equal", value: "x" };
  // A higher-priority false condition decides the all: the throwing one never runs.
  assert(!(await holds({ all: [{ ...failing, priority: 2 }, throwing] }, { plan: "pro" })));
  // In the same priority group the engine evaluates both, so it rejects.
  const rules = [rule("r", { all: [{ ...failing, priority: 1 }, throwing] })];
  assertThrows(() => compileRuleSet(rules).evaluate({ plan: "pro" }), TypeError);
  await assertRejects(() => evaluateWithReference(rules, { plan: "pro" }), TypeError);
});

Deno.test("firings come by rule priority, ties in input order", async () => {
  const always: RuleDefinition["conditions"] = { all: [] };
  const rules = [rule("low", always, 1), rule("high", always, 5), rule("mid-a", always, 3)];
  rules.push(rule("mid-b", always, 3));
  const firings = compileRuleSet(rules).evaluate({});
  assertEquals(firings.map((f) => f.ruleId), ["high", "mid-a", "mid-b", "low"]);
  assertEquals(firings[0], {
    ruleId: "high",
    version: 1,
    priority: 5,
    event: { type: "intervention", params: { rule: "high" } },
  });
  const reference = await evaluateWithReference(rules, {});
  assertEquals(reference.map((f) => f.priority), [5, 3, 3, 1]);
});

Deno.test("an empty fact name makes the run fail, as in the engine", async () => {
  const rules = [rule("r", { all: [] })];
  assertThrows(() => compileRuleSet(rules).evaluate({ "": 1 }), Error);
  await assertRejects(() => evaluateWithReference(rules, { "": 1 }), Error);
});

Deno.test("explain lists every leaf with its path, the value seen and whether it held", () => {
  const rules = [rule("r", {
    any: [
      { fact: "mrr", operator: "lessThan", value: 100, priority: 2 },
      {
        all: [
          { fact: "profile", path: "$.plan", operator: "equal", value: "free" },
          { not: { fact: "tags", operator: "contains", value: "vip" } },
        ],
      },
    ],
  })];
  const [explanation] = compileRuleSet(rules).explain({ mrr: 50, profile: { plan: "free" } });
  assertEquals(explanation, {
    ruleId: "r",
    version: 1,
    priority: 1,
    fired: true,
    conditions: [
      {
        path: "conditions.any[0]",
        fact: "mrr",
        operator: "lessThan",
        held: true,
        factValue: 50,
        value: 100,
      },
      // Not evaluated: the higher-priority condition already decided the any.
      {
        path: "conditions.any[1].all[0]",
        fact: "profile",
        factPath: "$.plan",
        operator: "equal",
        held: null,
      },
      { path: "conditions.any[1].all[1].not", fact: "tags", operator: "contains", held: null },
    ],
  });
});

Deno.test("unsupported JSONPath goes to fallback and evaluateAll still matches the engine", async () => {
  const rules = [
    rule("deep", {
      all: [{ fact: "profile", path: "$..tier", operator: "contains", value: "gold" }],
    }, 2),
    rule("plain", { all: [{ fact: "mrr", operator: "greaterThan", value: 1 }] }, 2),
    rule("first", { all: [] }, 3),
  ];
  const compiled = compileRuleSet(rules);
  assertEquals(compiled.fallback.length, 1);
  assertEquals(compiled.fallback[0]?.ruleId, "deep");
  assert(compiled.fallback[0]?.reason.includes("$..tier"));
  const facts = { mrr: 5, profile: { a: { tier: "gold" } } };
  assertEquals(compiled.evaluate(facts).map((f) => f.ruleId), ["first", "plain"]);
  const all = await compiled.evaluateAll(facts);
  assertEquals(all.map((f) => f.ruleId), ["first", "deep", "plain"]);
  const reference = await evaluateWithReference(rules, facts);
  assertEquals(reference.map((f) => f.ruleId).toSorted(), ["deep", "first", "plain"]);
  assertEquals(compiled.explain(facts)[0]?.fired, null);
  // What a publish's audit entry says of each.
  assertEquals(evaluatorOf(rules[0]!), "json-rules-engine (" + compiled.fallback[0]?.reason + ")");
  assertEquals(evaluatorOf(rules[1]!), "compiled");
});

Deno.test("generated code: fact names are data, never code, and prototype names read own facts only", async () => {
  const hostile = 'x"]) || (globalThis.injected = true) || (f["';
  const cases: Array<[Condition, Facts, boolean]> = [
    [{ fact: hostile, operator: "lessThan", value: 10 }, { [hostile]: 5 }, true],
    [{ fact: hostile, operator: "lessThan", value: 10 }, {}, false],
    [{ fact: "a\\\\b\u2028c", operator: "equal", value: "v" }, { "a\\\\b\u2028c": "v" }, true],
    [{ fact: "constructor", operator: "equal", value: "x" }, { constructor: "x" }, true],
    [{ fact: "constructor", operator: "notEqual", value: "x" }, {}, true],
    [{ fact: "toString", operator: "notEqual", value: 1 }, { toString: 1 }, false],
  ];
  for (const [condition, facts, expected] of cases) {
    assertEquals(await holds(condition, facts), expected, JSON.stringify(condition));
  }
  assertEquals((globalThis as { injected?: boolean }).injected, undefined);
});
