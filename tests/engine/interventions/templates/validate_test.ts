/** Templates are checked when saved: every problem with its part, line and column. */
import { assert, assertEquals, assertThrows } from "../../../helpers/assert.ts";
import { EngineError } from "../../../../engine/errors.ts";
import {
  MAX_BLOCK_DEPTH,
  MAX_PART_BYTES,
  type TemplateIssue,
  validateTemplateDefinition,
} from "../../../../engine/interventions/templates/mod.ts";

/** The issues a definition is refused with. */
function issuesOf(definition: unknown): TemplateIssue[] {
  const error = assertThrows(
    () => validateTemplateDefinition(definition, ["definition"]),
    EngineError,
  );
  assertEquals(error.code, "VALIDATION_FAILED");
  return error.issues as TemplateIssue[];
}

const email = {
  channel: "email",
  subject: "Hi {{customer.name}}",
  html: "<p>Hi {{customer.name}}</p>",
  text: "Hi {{customer.name}}",
};

Deno.test("validateTemplateDefinition() accepts a valid template and lists the variables it uses", () => {
  const { definition, variables } = validateTemplateDefinition({
    ...email,
    text: "{{#if health}}{{health.score}}{{/if}} {{owner.name}} {{links.booking}}\n" +
      "{{#each health.components as |score name|}}{{name}} {{score}} {{@index}}{{/each}}\n" +
      "{{#with customer}}{{plan}} {{../owner.email}} {{@root.links.app}}{{/with}}",
    locales: { de: { subject: "Hallo {{customer.name}}", text: "Hallo {{customer.name}}" } },
  });
  assertEquals(definition.locales?.de?.subject, "Hallo {{customer.name}}");
  assertEquals(variables, [
    "customer.name",
    "customer.plan",
    "health",
    "health.components.*",
    "health.score",
    "links.app",
    "links.booking",
    "owner.email",
    "owner.name",
  ]);
});

Deno.test("validateTemplateDefinition() reports a syntax error with the part's path, line and column", () => {
  const issues = issuesOf({
    ...email,
    locales: { de: { subject: "Hallo", html: "<p>Hallo</p>\n<p>{{customer.name}</p>", text: "x" } },
  });
  assertEquals(issues.length, 1);
  const [issue] = issues;
  assertEquals([issue!.path, issue!.line, issue!.column], ["definition.locales.de.html", 2, 19]);
  assert(issue!.message.startsWith("line 2, column 19: syntax error"), issue!.message);

  const unclosed = issuesOf({ ...email, text: "Hi\n{{#if health}}\nno end" });
  assertEquals([unclosed[0]!.path, unclosed[0]!.line], ["definition.text", 3]);
  assert(unclosed[0]!.message.includes("before a {{…}} or a block"), unclosed[0]!.message);

  const mismatched = issuesOf({ ...email, text: "ok\n  {{#if health}}x{{/each}}" });
  assertEquals([mismatched[0]!.line, mismatched[0]!.column], [2, 6]);
  assert(mismatched[0]!.message.includes("if doesn't match each"), mismatched[0]!.message);
});

Deno.test("validateTemplateDefinition() refuses unknown variables, with a did-you-mean and the position", () => {
  const issues = issuesOf({
    ...email,
    html: "<p>Dear {{customer.nmae}},</p>\n<p>{{helth.score}} {{customer.address}}</p>",
  });
  assertEquals(issues.map((i) => [i.path, i.line, i.column]), [
    ["definition.html", 1, 11],
    ["definition.html", 2, 6],
    ["definition.html", 2, 22],
  ]);
  assertEquals(
    issues[0]!.message,
    'line 1, column 11: unknown variable "customer.nmae". Did you mean "customer.name"? ' +
      "docs/templates.md lists the variables",
  );
  assert(issues[1]!.message.includes('Did you mean "health.score"?'), issues[1]!.message);
  assert(!issues[2]!.message.includes("Did you mean"), issues[2]!.message);

  // Inside #with a name resolves against the object; ../ steps out; #each only over components.
  const scoped = issuesOf({
    ...email,
    text: "{{#with customer}}{{nmae}} {{../owner.name}}{{/with}}{{#each customer}}x{{/each}}" +
      "{{customer}} {{constructor}} {{customer.name.length}} {{@index}}",
  });
  assertEquals(scoped.map((i) => i.message.replace(/^line \d+, column \d+: /, "")), [
    'unknown variable "nmae" (customer.nmae). Did you mean "customer.name"? ' +
    "docs/templates.md lists the variables",
    '{{#each}} can loop over health.components; "customer" is not a list',
    '"customer" is an object, not a value: name one of its fields, e.g. customer.id',
    'unknown variable "constructor". docs/templates.md lists the variables',
    'unknown variable "customer.name.length". docs/templates.md lists the variables',
    "@index is only set inside {{#each}}",
  ]);
});

Deno.test("validateTemplateDefinition() refuses unknown helpers, partials and unescaped HTML", () => {
  const issues = issuesOf({
    ...email,
    html: "{{#unles health}}x{{/unles}}\n{{formatDate customer.tenureDays}} {{> footer}}\n" +
      "{{{customer.name}}} {{lookup customer 'name'}}",
    // Unescaped output is fine in text: nothing there is HTML.
    text: "{{{customer.name}}} {{if health}}",
  });
  assertEquals(issues.map((i) => [i.path, i.line, i.column]), [
    ["definition.html", 1, 4],
    ["definition.html", 2, 3],
    ["definition.html", 2, 36],
    ["definition.html", 3, 1],
    ["definition.html", 3, 23],
    ["definition.text", 1, 23],
  ]);
  assert(issues[0]!.message.includes('unknown helper "unles". Did you mean "unless"?'));
  assert(issues[1]!.message.includes('unknown helper "formatDate"'));
  assert(issues[2]!.message.includes("partials ({{> name}}) are not available"));
  assert(issues[3]!.message.includes("without HTML escaping"));
  assert(issues[4]!.message.includes('unknown helper "lookup"'));
  assert(issues[5]!.message.includes("if is a block helper"));
});

Deno.test("validateTemplateDefinition() wants a subject for email, and only for email", () => {
  const { subject: _subject, ...noSubject } = email;
  const issues = issuesOf({ ...noSubject, locales: { de: { text: "Hallo" } } });
  assertEquals(issues.map((i) => [i.path, i.message]), [
    ["definition.subject", "is required: an email needs a subject line"],
    ["definition.locales.de.subject", "is required: an email needs a subject line"],
  ]);
  const slack = issuesOf({ channel: "slack", subject: "Hi", html: "<p>x</p>", text: "x" });
  assertEquals(slack.map((i) => i.path), ["definition.subject", "definition.html"]);
  const multiline = issuesOf({ ...email, subject: "Hi\n{{customer.name}}" });
  assertEquals(multiline[0]!.message, "a subject is one line: remove the line breaks");
});

Deno.test("validateTemplateDefinition() refuses parts that render nothing, and oversized parts", () => {
  const issues = issuesOf({
    channel: "in-app",
    text: "  {{!-- to do --}}\n {{#if health}} {{/if}} ",
    locales: { de: { text: "" } },
  });
  assertEquals(issues.map((i) => [i.path, i.message]), [
    ["definition.text", "renders nothing whatever the customer (only whitespace and comments)"],
    [
      "definition.locales.de.text",
      "is empty: write the message (or leave the part out where it is optional)",
    ],
  ]);
  const deep = (n: number) => "{{#if health}}".repeat(n) + "x" + "{{/if}}".repeat(n);
  validateTemplateDefinition({ channel: "webhook", text: deep(MAX_BLOCK_DEPTH) });
  const tooDeep = issuesOf({ channel: "webhook", text: deep(MAX_BLOCK_DEPTH + 1) });
  assertEquals(
    tooDeep[0]!.message,
    "line 1, column 701: blocks nest more than 50 deep: flatten them",
  );
  // Far deeper than handlebars' own recursion allows: still a validation error, not a crash.
  const absurd = issuesOf({ channel: "webhook", text: deep(4_000).slice(0, MAX_PART_BYTES) });
  assertEquals(absurd[0]!.path, "definition.text");
  const big = issuesOf({ channel: "webhook", text: "x".repeat(MAX_PART_BYTES + 1) });
  assertEquals(big[0]!.message, `is ${MAX_PART_BYTES + 1} bytes; at most ${MAX_PART_BYTES}`);
});

Deno.test("validateTemplateDefinition() checks the shape first: channel, keys and locale names", () => {
  const issues = issuesOf({
    channel: "fax",
    text: "x",
    footer: "y",
    locales: { en_GB: { text: "x" } },
  });
  assertEquals(issues.map((i) => i.path).sort(), [
    "definition",
    "definition.channel",
    "definition.locales.en_GB",
  ]);
  const locale = issues.find((i) => i.path === "definition.locales.en_GB")!;
  assertEquals(locale.message, "must be a language like de, or a language and region like en-GB");
});
