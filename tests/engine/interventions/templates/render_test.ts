/** Rendering: escaping, locales, no prototype access, limits, one compile per version. */
import { assertEquals, assertMatch, assertThrows } from "../../../helpers/assert.ts";
import { EngineError } from "../../../../engine/errors.ts";
import type { TemplateContext } from "../../../../engine/interventions/mod.ts";
import {
  pickLocale,
  type TemplateDefinition,
  TemplateRenderer,
  validateTemplateDefinition,
} from "../../../../engine/interventions/templates/mod.ts";

/** A context as the loader builds it, for a customer with a name full of HTML. */
function context(fields: Partial<TemplateContext["customer"]> = {}): TemplateContext {
  return {
    customer: {
      id: "sup_1",
      name: 'Rosen & <b>"Dornen"</b>',
      vendorType: "florist",
      plan: "professional",
      country: "AT",
      timeZone: "Europe/Vienna",
      locale: "de-AT",
      mrr: 79,
      tenureDays: 40,
      ...fields,
    },
    health: { score: 41.5, atRiskScore: 62, components: { engagement: 30, billing: 100 } },
    prediction: null,
    rule: null,
    owner: { name: "Mia", email: "mia@example.com" },
    links: {
      app: "https://app.example.com",
      unsubscribe: "https://app.example.com/unsubscribe/abc?x=1&y=2",
      booking: "https://app.example.com/book/sup_1",
    },
  };
}

const definition: TemplateDefinition = validateTemplateDefinition({
  channel: "email",
  subject: "Hi {{customer.name}}",
  html: '<p>Hi {{customer.name}}</p><a href="{{links.unsubscribe}}">x</a>',
  text: "Hi {{customer.name}}{{#each health.components}}\n{{@key}}: {{this}}{{/each}}",
  locales: {
    de: { subject: "Hallo {{customer.name}}", text: "Hallo {{customer.name}}" },
    "en-GB": { subject: "Hiya {{customer.name}}", text: "Hiya {{customer.name}}" },
  },
}).definition;

Deno.test("TemplateRenderer escapes values in HTML parts, not in text parts and subjects", () => {
  const rendered = new TemplateRenderer().render(
    { id: "t", version: 1, definition },
    context({ locale: "en" }),
  );
  assertEquals(rendered, {
    subject: 'Hi Rosen & <b>"Dornen"</b>',
    html: "<p>Hi Rosen &amp; &lt;b&gt;&quot;Dornen&quot;&lt;/b&gt;</p>" +
      '<a href="https://app.example.com/unsubscribe/abc?x&#x3D;1&amp;y&#x3D;2">x</a>',
    text: 'Hi Rosen & <b>"Dornen"</b>\nengagement: 30\nbilling: 100',
    locale: null,
  });
});

Deno.test("TemplateRenderer picks the customer's locale, else its language, else the base", () => {
  const renderer = new TemplateRenderer();
  const source = { id: "t", version: 1, definition };
  const render = (locale: string, override?: string) =>
    renderer.render(source, context({ locale }), { locale: override });
  assertEquals([render("de-AT").locale, render("de-AT").subject], [
    "de",
    'Hallo Rosen & <b>"Dornen"</b>',
  ]);
  // A locale variant replaces the base parts whole: no English HTML in a German email.
  assertEquals(render("de").html, null);
  assertEquals(render("en-GB").locale, "en-GB");
  assertEquals(render("en-gb").locale, "en-GB");
  assertEquals(render("en-US").locale, null);
  assertEquals(render("fr").text.startsWith("Hi "), true);
  assertEquals(render("fr", "de").locale, "de"); // the preview's locale wins
  assertEquals(pickLocale(definition, "de_AT"), "de");
  assertEquals(pickLocale({ channel: "slack", text: "x" }, "de"), null);
});

Deno.test("TemplateRenderer never resolves prototype properties or methods", () => {
  // Validation refuses these; the renderer must hold even for a definition that skipped it.
  const sneaky: TemplateDefinition = {
    channel: "in-app",
    text: "[{{constructor}}][{{constructor.name}}][{{customer.constructor}}]" +
      "[{{customer.__proto__}}][{{customer.hasOwnProperty}}][{{customer.toString}}]" +
      "[{{#with customer}}{{constructor.constructor}}{{/with}}][{{customer.name.length}}]",
  };
  const rendered = new TemplateRenderer().render(
    { id: "sneaky", version: 1, definition: sneaky },
    context({ name: "abc" }),
  );
  // `length` is the string's own property, not its prototype's: harmless, and refused at save.
  assertEquals(rendered.text, "[][][][][][][][3]");
  // Helpers beyond the four block helpers do not exist at render time either.
  const lookup: TemplateDefinition = { channel: "in-app", text: "{{lookup customer 'name'}}" };
  const error = assertThrows(
    () => new TemplateRenderer().render({ id: "l", version: 1, definition: lookup }, context()),
    EngineError,
  );
  assertEquals(error.code, "TEMPLATE_RENDER_FAILED");
});

Deno.test("TemplateRenderer stops a render whose output or loops exceed the limits", () => {
  const big: TemplateDefinition = { channel: "webhook", text: "{{customer.name}}" };
  const renderer = new TemplateRenderer({ maxOutputBytes: 1_000 });
  const ok = renderer.render({ id: "big", version: 1, definition: big }, context({ name: "x" }));
  assertEquals(ok.text, "x");
  const error = assertThrows(
    () =>
      renderer.render(
        { id: "big", version: 1, definition: big },
        context({ name: "é".repeat(600) }),
      ),
    EngineError,
  );
  assertEquals(error.code, "TEMPLATE_RENDER_FAILED");
  assertEquals(
    error.message,
    "Template big v1 text cannot render: it rendered 1200 bytes; at most 1000: shorten the template",
  );

  const loops: TemplateDefinition = {
    channel: "webhook",
    text: "{{#each health.components}}{{#each @root.health.components}}" +
      "{{#each @root.health.components}}x{{/each}}{{/each}}{{/each}}",
  };
  const counted = new TemplateRenderer({ maxLoopIterations: 10 });
  const stopped = assertThrows(
    () => counted.render({ id: "loops", version: null, definition: loops }, context()),
    EngineError,
  );
  assertMatch(stopped.message, /^Template loops draft text cannot render: more than 10 loop/);
});

Deno.test("TemplateRenderer compiles a version once, and a draft every time", () => {
  const renderer = new TemplateRenderer();
  const first: TemplateDefinition = { channel: "in-app", text: "one {{customer.id}}" };
  const second: TemplateDefinition = { channel: "in-app", text: "two {{customer.id}}" };
  assertEquals(
    renderer.render({ id: "c", version: 1, definition: first }, context()).text,
    "one sup_1",
  );
  // Versions never change, so version 1 is what was compiled first.
  assertEquals(
    renderer.render({ id: "c", version: 1, definition: second }, context()).text,
    "one sup_1",
  );
  assertEquals(
    renderer.render({ id: "c", version: 2, definition: second }, context()).text,
    "two sup_1",
  );
  assertEquals(
    renderer.render({ id: "c", version: null, definition: first }, context()).text,
    "one sup_1",
  );
  assertEquals(
    renderer.render({ id: "c", version: null, definition: second }, context()).text,
    "two sup_1",
  );
});

Deno.test("TemplateRenderer renders missing values as nothing and keeps subjects on one line", () => {
  const template: TemplateDefinition = {
    channel: "email",
    subject: "{{customer.name}} {{prediction.probability}}",
    text:
      "{{#if prediction}}p={{prediction.probability}}{{else}}no prediction{{/if}} {{rule.name}}.",
  };
  const rendered = new TemplateRenderer().render(
    { id: "m", version: 1, definition: template },
    context({ name: "Line\nbreak  here", locale: "en" }),
  );
  assertEquals([rendered.subject, rendered.text], ["Line break here", "no prediction ."]);
});
