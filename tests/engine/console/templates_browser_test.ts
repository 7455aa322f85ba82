/**
 * The template editor in a real Chromium: sign in, open a template, type and
 * see the preview follow, insert a variable from the list, break the
 * handlebars and see the problem with its line and column (and the line
 * marked in the gutter), fix it, publish with a reason. axe-core finds
 * nothing serious on the list and the editor at desktop and phone width.
 * With CONSOLE_SCREENSHOTS=docs/screenshots the test saves
 * console-templates-*.png there.
 */
import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { hasChromium, launchChromium } from "../../helpers/browser.ts";
import { checkPage, signInOnPage, withBrowserPage } from "../../helpers/console_browser.ts";
import { type ConsoleTest, withConsole } from "../../helpers/console.ts";
import { NOW } from "../../helpers/fixtures.ts";
import { seedDemoData } from "../../../engine/demo/mod.ts";
import { scoringSettings } from "../../../engine/health/mod.ts";
import { getTemplate } from "../../../engine/interventions/templates/mod.ts";

/** A small demo population, so there are customers to preview for, and the manager Ben. */
async function seedPreviewCustomers(t: ConsoleTest, customers: number): Promise<void> {
  await seedDemoData(t.api.db, {
    customers,
    days: 30,
    seed: 9,
    asOf: NOW,
    historyWeeks: 1,
    scoring: scoringSettings(t.api.config),
  });
  await t.user("ben@example.com", "success-manager", "Ben Okafor");
}

Deno.test({
  name:
    "console templates in Chromium: edit with a live preview, insert a variable, see an error with line and column, publish",
  ignore: !hasChromium,
  fn: async () => {
    await withConsole(async (t) => {
      await seedPreviewCustomers(t, 12);

      await withBrowserPage(async (page, problems) => {
        await page.goto(`${t.origin}/console/templates`);
        await signInOnPage(page, "ben@example.com");
        await page.waitForURL(`${t.origin}/console/templates`);
        assertMatch(await page.locator("table.templates").innerText(), /Finish your profile/);
        await checkPage(page, "templates");

        await page.click("text=Finish your profile");
        await page.waitForURL(`${t.origin}/console/templates/onboarding_nudge`);
        const firstName = await page.locator(".preview-for strong").innerText();
        assert(firstName.length > 0, "the preview is rendered for the first customer");

        // Type a sentence at the end of the text part: the text preview shows it.
        await page.click("#tpl-text");
        await page.keyboard.press("Control+End");
        await page.keyboard.type("\nSee you soon, {{customer.name}}!");
        await page.waitForSelector(`pre[data-view=text]:has-text("See you soon, ${firstName}!")`);
        // And in the HTML part: the sandboxed frame shows it.
        await page.click("#tpl-html");
        await page.keyboard.press("Control+End");
        await page.keyboard.type("<p>A brand new paragraph.</p>");
        await page.frameLocator("iframe.email-frame").locator("text=A brand new paragraph.")
          .waitFor();

        // Insert a variable from the list at the cursor in the text part.
        await page.click("#tpl-text");
        await page.keyboard.press("Control+End");
        await page.keyboard.type(" Plan: ");
        await page.click("button[data-insert='{{customer.plan}}']");
        assertMatch(await page.inputValue("#tpl-text"), /Plan: \{\{customer\.plan\}\}$/);
        await page.waitForSelector("pre[data-view=text]:has-text('Plan: ')");
        assert(!(await page.locator("pre[data-view=text]").innerText()).includes("{{"));

        // Another customer, picked by name.
        const other = await page.evaluate<string>(
          "fetch('/console/template-customers?q=').then((r) => r.json())" +
            ".then((a) => a.customers[1].name)",
        );
        await page.fill("#preview-customer", other);
        await page.waitForSelector(`.preview-for strong:text-is("${other}")`);

        // A broken block: the problem with its line and column, the line marked in the gutter.
        await page.click("#tpl-text");
        await page.keyboard.press("Control+End");
        await page.keyboard.type("\n{{#if health}Score");
        const error = page.locator("#tpl-text-errors li").first();
        await error.waitFor();
        assertMatch(await error.innerText(), /^line \d+, column \d+: syntax error/);
        assertEquals(await page.locator("#tpl-text").getAttribute("aria-invalid"), "true");
        assertMatch(await page.locator("#preview-status").innerText(), /^1 problem: line \d+/);
        assert(await page.locator(".code-editor .ln.marked").count() >= 1);
        assertMatch(
          await page.locator("#preview-views").innerText(),
          /once the template has no errors/,
        );
        await checkPage(page, "templates-error");

        // Fixed: the problem goes, the preview comes back.
        await page.keyboard.press("Backspace");
        for (let i = 0; i < "Score".length; i++) await page.keyboard.press("Backspace");
        await page.keyboard.type("}}Score {{health.score}}{{/if}}");
        await page.locator("#tpl-text-errors li").waitFor({ state: "detached" });
        await page.waitForSelector("pre[data-view=text]:has-text('Score')");
        await page.frameLocator("iframe.email-frame").locator("text=A brand new paragraph.")
          .waitFor();
        await checkPage(page, "templates-editor");

        // Publish with a reason.
        await page.fill("#tpl-reason", "a warmer goodbye");
        await page.click("button:has-text('Publish')");
        await page.waitForURL(/done=published/);
        await page.waitForSelector("text=Published: this version is sent from now on.");
        const published = await getTemplate(t.api.db, "onboarding_nudge");
        assertEquals(published.version, 2);
        assertMatch(published.published!.text, /See you soon, \{\{customer\.name\}\}!/);
        assertMatch(published.published!.text, /\{\{#if health\}\}Score \{\{health.score\}\}/);
        assertEquals(problems, []);
      });
    });
  },
});

Deno.test({
  name:
    "console templates in Chromium: the email preview keeps the email's own inline styles under the console's CSP",
  ignore: !hasChromium,
  fn: async () => {
    await withConsole(async (t) => {
      await seedPreviewCustomers(t, 3);
      const browser = await launchChromium();
      try {
        // The console's own policy this time, as a person's browser applies it.
        const page = await (await browser.newContext()).newPage();
        await page.goto(`${t.origin}/console/templates/onboarding_nudge`);
        await signInOnPage(page, "ben@example.com");
        await page.click("#tpl-html");
        await page.keyboard.press("Control+End");
        await page.keyboard.type(
          '<style>.lead { font-weight: 700 }</style><p class="lead" style="color: rgb(0, 128, 0)">Green and bold</p>',
        );
        const styled = page.frameLocator("iframe.email-frame").locator("p.lead");
        await styled.waitFor();
        assertEquals(
          await styled.evaluate((p) => {
            // In the page (this file is type-checked without the DOM's types).
            const page = globalThis as unknown as {
              getComputedStyle(element: unknown): { color: string; fontWeight: string };
            };
            const style = page.getComputedStyle(p);
            return [style.color, style.fontWeight];
          }),
          ["rgb(0, 128, 0)", "700"],
        );
        // Still no script: the frame is sandboxed.
        assertEquals(await page.locator("iframe.email-frame").getAttribute("sandbox"), "");
      } finally {
        await browser.close();
      }
    });
  },
});
