import { assert, assertEquals, assertRejects } from "../../helpers/assert.ts";
import { EngineError } from "../../../engine/errors.ts";
import {
  buildFactCatalog,
  MAX_CONDITION_DEPTH,
  type RuleContext,
  validateRuleDefinition,
} from "../../../engine/rules/mod.ts";

const context: RuleContext = {
  catalog: buildFactCatalog({
    healthComponents: ["engagement", "adoption"],
    milestoneKeys: ["profile_completed", "first_client_added"],
  }),
  templates: new Map([["onboarding_nudge", "email"], ["pre_season_check_in", "email"]]),
};

const nudge = {
  type: "intervention",
  params: { template: "onboarding_nudge", channel: "email" },
};

/** The field issues of validating `rule`, as [path, message] pairs. */
async function problems(rule: unknown): Promise<Array<[string, string]>> {
  const error = await assertRejects(
    () => Promise.resolve().then(() => validateRuleDefinition(rule, context)),
    EngineError,
  );
  assertEquals(error.code, "VALIDATION_FAILED");
  return (error.issues ?? []).map((issue) => [issue.path, issue.message]);
}

Deno.test("a valid rule passes, with the event's defaults filled in", () => {
  const rule = validateRuleDefinition({
    conditions: {
      all: [
        { fact: "healthScore", operator: "lessThan", value: 40 },
        {
          any: [
            { fact: "vendorType", operator: "in", value: ["photographer", "venue"] },
            { fact: "milestonesMissing", operator: "contains", value: "profile_completed" },
            { not: { fact: "health.engagement", operator: "greaterThan", value: 60 } },
          ],
        },
        { fact: "mrr", operator: "greaterThanInclusive", value: { fact: "healthScore" } },
      ],
    },
    event: nudge,
  }, context);
  assertEquals(rule.priority, 1);
  assertEquals(rule.event.params, { template: "onboarding_nudge", channel: "email" });
});

Deno.test("an unknown fact is named by its JSON path, with a did-you-mean", async () => {
  const found = await problems({
    conditions: {
      all: [
        { fact: "healthScore", operator: "lessThan", value: 40 },
        { any: [{ fact: "healtScore", operator: "lessThan", value: 40 }] },
      ],
    },
    event: nudge,
  });
  assertEquals(found.length, 1);
  const [path, message] = found[0]!;
  assertEquals(path, "conditions.all[1].any[0].fact");
  assert(message.includes('unknown fact "healtScore". Did you mean "healthScore"?'), message);
  assert(message.includes("GET /api/v1/facts"), message);
});

Deno.test("operators must fit the fact's type, values the operator", async () => {
  const found = await problems({
    conditions: {
      any: [
        { fact: "plan", operator: "greaterThan", value: 3 },
        { fact: "healthScore", operator: "lessThan", value: "40" },
        { fact: "milestonesAchieved", operator: "equal", value: "x" },
        { fact: "healthScore", operator: "in", value: 40 },
        { fact: "vendorType", operator: "equal", value: "photografer" },
        { fact: "tenureDays", operator: "greaterThen", value: 30 },
        { fact: "mrr", operator: "equal", value: { fact: "plan" } },
        { fact: "mrr", operator: "in", value: { fact: "tenureDays" } },
      ],
    },
    event: nudge,
  });
  const byPath = Object.fromEntries(found);
  assert(byPath["conditions.any[0].operator"]?.includes("use equal, notEqual, in, notIn"));
  assert(
    byPath["conditions.any[1].value"]?.startsWith("must be a number for healthScore, not string"),
  );
  assert(byPath["conditions.any[2].operator"]?.includes("use contains, doesNotContain"));
  assert(
    byPath["conditions.any[3].value"]?.startsWith("in needs a non-empty list of number values"),
  );
  assert(byPath["conditions.any[4].value"]?.includes('Did you mean "photographer"?'));
  assert(byPath["conditions.any[5].operator"]?.includes('Did you mean "greaterThan"?'));
  assert(byPath["conditions.any[6].value.fact"]?.startsWith("plan is a string"));
  // At run time `in` calls the value's indexOf: a number fact there would throw.
  assert(byPath["conditions.any[7].value.fact"]?.includes("needs a list fact"));
  assertEquals(found.length, 8);
});

Deno.test("structure: a group at the top, known keys, limits on depth and size", async () => {
  const leaf = { fact: "healthScore", operator: "lessThan", value: 40 };
  assertEquals((await problems({ conditions: leaf, event: nudge }))[0]?.[0], "conditions");
  const extra = await problems({ conditions: { all: [{ ...leaf, vaule: 3 }] }, event: nudge });
  assertEquals(extra[0]?.[0], "conditions.all[0].vaule");
  assert(extra[0]?.[1].includes('Did you mean "value"?'));
  assertEquals((await problems({ conditions: { all: [] }, event: nudge }))[0], [
    "conditions.all",
    "must be a non-empty list of conditions",
  ]);

  let deep: unknown = leaf;
  for (let i = 0; i < MAX_CONDITION_DEPTH; i++) deep = { all: [deep] };
  validateRuleDefinition({ conditions: deep, event: nudge }, context); // the deepest allowed
  deep = { all: [deep] };
  const tooDeep = await problems({ conditions: deep, event: nudge });
  assert(tooDeep[0]?.[1].startsWith(`nests deeper than ${MAX_CONDITION_DEPTH} levels`));

  const many = await problems({
    conditions: { any: Array.from({ length: 101 }, () => leaf) },
    event: nudge,
  });
  assert(
    many.some(([path, message]) => path === "conditions" && message.includes("101 comparisons")),
  );
});

Deno.test("an intervention needs a known template and channel", async () => {
  const found = await problems({
    conditions: { all: [{ fact: "healthScore", operator: "lessThan", value: 40 }] },
    event: { type: "intervention", params: { template: "onboarding_nudg", channel: "sms" } },
  });
  const byPath = Object.fromEntries(found);
  assert(byPath["event.params.channel"]?.includes("email, slack, webhook, in-app"));
  const template = await problems({
    conditions: { all: [{ fact: "healthScore", operator: "lessThan", value: 40 }] },
    event: { type: "intervention", params: { template: "onboarding_nudg", channel: "email" } },
  });
  assertEquals(template[0]?.[0], "event.params.template");
  assert(template[0]?.[1].includes('Did you mean "onboarding_nudge"?'));
  // A template is sent on its own channel.
  const mismatch = await problems({
    conditions: { all: [{ fact: "healthScore", operator: "lessThan", value: 40 }] },
    event: { type: "intervention", params: { template: "onboarding_nudge", channel: "in-app" } },
  });
  assertEquals(mismatch, [[
    "event.params.channel",
    'template "onboarding_nudge" is for email, not in-app: send it on "email", or name a ' +
    "template for in-app",
  ]]);
  // Other event types carry their own params.
  validateRuleDefinition({
    conditions: { all: [{ fact: "healthScore", operator: "lessThan", value: 40 }] },
    event: { type: "tag_customer", params: { tag: "at-risk" } },
  }, context);
});

Deno.test("the catalog lists each health component and refuses a fact declared twice", () => {
  assertEquals(context.catalog.get("health.adoption")?.type, "number");
  assertEquals(context.catalog.get("milestonesMissing")?.values, [
    "profile_completed",
    "first_client_added",
  ]);
  let error: unknown;
  try {
    buildFactCatalog({
      healthComponents: [],
      milestoneKeys: [],
      pluginFacts: [{
        name: "mrr",
        type: "number",
        unit: null,
        description: "again",
        source: "plugin:x",
      }],
    });
  } catch (e) {
    error = e;
  }
  assert(error instanceof Error && error.message.includes("declared twice"));
});
