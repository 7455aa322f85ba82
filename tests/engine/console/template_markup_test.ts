/** The template editor's helpers: the channel views' markup is safe, the line diff is minimal. */
import { assertEquals } from "../../helpers/assert.ts";
import { markdownHtml, slackHtml } from "../../../engine/console/template_editor/markup.ts";
import { diffLines } from "../../../engine/console/template_editor/line_diff.ts";
import { definitionOf, formValuesOf } from "../../../engine/console/template_editor/form.ts";

Deno.test("slackHtml() shows mrkdwn marks and http links, and escapes everything else", () => {
  assertEquals(
    slackHtml("*Rosa <b>* needs _a look_ <https://app.example/x?a=1&b=2|Open>"),
    "<strong>Rosa &#60;b&#62;</strong> needs <em>a look</em> " +
      '<a href="https://app.example/x?a=1&#38;b=2">Open</a>',
  );
  assertEquals(slackHtml("<javascript:alert(1)|x>"), "&#60;javascript:alert(1)|x&#62;");
});

Deno.test("markdownHtml() makes paragraphs, lists, bold and http links only", () => {
  assertEquals(
    markdownHtml(
      "**Hi <i>you</i>**\nline two\n\n- one\n- two\n\n[go](https://a.example) [no](javascript:x)",
    ),
    "<p><strong>Hi &#60;i&#62;you&#60;/i&#62;</strong><br>line two</p>" +
      "<ul><li>one</li><li>two</li></ul>" +
      '<p><a href="https://a.example">go</a> [no](javascript:x)</p>',
  );
});

Deno.test("diffLines() keeps common lines and marks the others added or removed", () => {
  assertEquals(diffLines("a\nb\nc", "a\nx\nc\nd"), [
    { kind: "same", text: "a" },
    { kind: "removed", text: "b" },
    { kind: "added", text: "x" },
    { kind: "same", text: "c" },
    { kind: "added", text: "d" },
  ]);
  assertEquals(diffLines("", "a"), [{ kind: "added", text: "a" }]);
});

Deno.test("definitionOf() leaves out empty optional parts and empty locale variants", () => {
  const definition = definitionOf("email", {
    subject: "Hi",
    html: " ",
    text: "Hello",
    "locales.de.subject": "",
    "locales.de.html": "",
    "locales.de.text": "",
    "locales.fr.subject": "Salut",
    "locales.fr.text": "Bonjour",
  });
  assertEquals(definition, {
    channel: "email",
    subject: "Hi",
    text: "Hello",
    locales: { fr: { subject: "Salut", text: "Bonjour" } },
  });
  assertEquals(formValuesOf(definition)["locales.fr.html"], "");
});
