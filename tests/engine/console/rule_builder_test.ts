/** The rule builder's pure parts: where JSON text goes wrong, and where each rule error is shown. */
import { assertEquals } from "../../helpers/assert.ts";
import { parseJsonText } from "../../../engine/console/rule_builder/json_text.ts";
import {
  builderModel,
  fieldTargets,
  placeIssues,
} from "../../../engine/console/rule_builder/model.ts";

Deno.test("parseJsonText() names the line and column of the first mistake", () => {
  assertEquals(parseJsonText('{"a": [1, 2]}'), { ok: true, value: { a: [1, 2] } });
  const cases: Array<[string, number, number, string]> = [
    ['{\n  "a": x\n}', 2, 8, "expected a value"],
    ['{\n  "a": 1,\n}', 3, 1, "expected a string in double quotes"],
    ['{"a" 1}', 1, 6, 'expected ":"'],
    ["[1, 2", 1, 6, 'expected "," or "]"'],
    ['{"a": 1} {', 1, 10, "expected nothing more"],
  ];
  for (const [text, line, column, expected] of cases) {
    const parsed = parseJsonText(text);
    if (parsed.ok) throw new Error(`${text} parsed`);
    assertEquals([parsed.line, parsed.column], [line, column], text);
    assertEquals(parsed.message.includes(expected), true, parsed.message);
  }
});

Deno.test("placeIssues() shows each error at its field or the nearest field above its path", () => {
  const model = builderModel({
    conditions: {
      all: [
        { fact: "plan", operator: "in", value: ["a", 3] },
        { not: { fact: "mrr", operator: "lessThan", value: 1, vaule: 2 } },
        { any: [] },
      ],
    },
    event: { type: "intervention", params: { template: "x", channel: "fax" } },
  });
  const placed = placeIssues([
    { path: "conditions.all[0].value[1]", message: "must be a string" },
    { path: "conditions.all[1].not.vaule", message: "is not part of a condition" },
    { path: "conditions.all[2].any", message: "must be a non-empty list" },
    { path: "event.params.channel", message: "must be one of email, …" },
    { path: "event.params.extra", message: "unknown key" },
    { path: "(root)", message: "the whole rule" },
  ], fieldTargets(model));
  assertEquals(placed, {
    "conditions.all[0].value": "must be a string",
    "conditions.all[1].not.fact": "is not part of a condition",
    "conditions.all[2]": "must be a non-empty list",
    "event.params.channel": "must be one of email, …",
    "event.params.template": "unknown key",
  });
});
