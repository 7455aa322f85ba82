/**
 * The rule builder in a real Chromium: build a rule visually (a fact, an
 * operator, a value, a nested group), see the engine's validation error
 * beside the field while typing and fix it, go to the JSON view and back,
 * simulate, publish with a reason, and find the audit entry. axe-core finds
 * nothing serious on the list, the builder, the simulation and the history,
 * at desktop and phone width (screenshots console-rules-*.png).
 */
import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { hasChromium } from "../../helpers/browser.ts";
import { checkPage, signInOnPage, withBrowserPage } from "../../helpers/console_browser.ts";
import { withConsole } from "../../helpers/console.ts";
import { NOW } from "../../helpers/fixtures.ts";
import { seedDemoData } from "../../../engine/demo/mod.ts";
import { scoringSettings } from "../../../engine/health/mod.ts";
import { createRule, loadFactCatalog, publishRule } from "../../../engine/rules/mod.ts";

Deno.test({
  name:
    "console rules in Chromium: build a rule visually, fix a validation error, JSON and back, simulate, publish, audit",
  ignore: !hasChromium,
  fn: async () => {
    await withConsole(async (t) => {
      // A small demo population, so the simulation has customers.
      await seedDemoData(t.api.db, {
        customers: 40,
        days: 90,
        seed: 9,
        asOf: NOW,
        historyWeeks: 0,
        scoring: scoringSettings(t.api.config),
      });
      const catalog = await loadFactCatalog(t.api.db);
      const change = { actor: "test", now: NOW, requestId: null };
      await createRule(
        t.api.db,
        {
          id: "starter-nudge",
          name: "Starter nudge",
          owner: "ana@example.com",
          definition: {
            conditions: { all: [{ fact: "plan", operator: "equal", value: "starter" }] },
            event: {
              type: "intervention",
              params: { template: "onboarding_nudge", channel: "email" },
            },
          },
        },
        { catalog },
        change,
      );
      await publishRule(t.api.db, "starter-nudge", 1, { catalog }, { ...change, reason: "first" });
      await t.user("ana@example.com", "admin", "Ana Lima");

      await withBrowserPage(async (page, problems) => {
        await page.goto(`${t.origin}/console/rules`);
        await signInOnPage(page, "ana@example.com");
        await page.waitForURL(`${t.origin}/console/rules`);
        assertMatch(await page.locator("table.rules").innerText(), /Starter nudge/);
        await checkPage(page, "rules-list");

        // A new rule, built visually.
        await page.click("text=New rule");
        await page.waitForURL(`${t.origin}/console/rules/new`);
        assert(await page.locator(".visual-view").isVisible(), "the visual editor is in front");
        assert(!await page.locator("#f-definition").isVisible(), "the JSON view is behind");
        await page.fill("#f-id", "long-tenure");
        await page.fill("#f-name", "Long tenure, low plan");
        await page.selectOption("#rb-conditions-all-0-fact", "tenureDays");
        assertMatch(
          await page.locator("#rb-conditions-all-0-fact-hint").innerText(),
          /Days since the customer signed up \(days\); number/,
        );
        await page.selectOption("#rb-conditions-all-0-operator", "greaterThan");
        // Not a number: the engine's validation says so beside the field, while typing.
        await page.fill("#rb-conditions-all-0-value", "thirty");
        await page.waitForSelector("#rb-conditions-all-0-value-error");
        assertMatch(
          await page.locator("#rb-conditions-all-0-value-error").innerText(),
          /must be a number for tenureDays, not string/,
        );
        assertEquals(
          await page.getAttribute("#rb-conditions-all-0-value", "aria-invalid"),
          "true",
        );
        await page.fill("#rb-conditions-all-0-value", "30");
        await page.waitForSelector("#rb-conditions-all-0-value-error", { state: "detached" });

        // A nested group: any of the plans.
        await page.locator("fieldset.group >> button[data-act=add-group]").first().click();
        await page.selectOption("#rb-conditions-all-1", "any");
        await page.selectOption("#rb-conditions-all-1-any-0-fact", "plan");
        const operators = await page.locator("#rb-conditions-all-1-any-0-operator option")
          .allInnerTexts();
        assertEquals(operators, ["is", "is not", "is one of", "is none of"]);
        await page.selectOption("#rb-conditions-all-1-any-0-operator", "in");
        await page.fill("#rb-conditions-all-1-any-0-value", "starter, professional");
        await page.selectOption("#rb-event-params-template", "onboarding_nudge");
        await page.waitForSelector("#rb-live:has-text('No problems')");
        await checkPage(page, "rules-builder");

        // The JSON view shows the same rule; an edit there comes back to the visual editor.
        await page.click("button[data-view=json]");
        const json = JSON.parse(await page.inputValue("#f-definition"));
        assertEquals(json.conditions, {
          all: [
            { fact: "tenureDays", operator: "greaterThan", value: 30 },
            { any: [{ fact: "plan", operator: "in", value: ["starter", "professional"] }] },
          ],
        });
        await page.fill("#f-definition", '{"conditions": oops}');
        await page.waitForSelector("#f-definition-error:has-text('line 1, column 16')");
        await page.fill("#f-definition", JSON.stringify({ ...json, priority: 7 }, null, 2));
        await page.waitForSelector("#f-definition-error", { state: "hidden" });
        await page.click("button[data-view=visual]");
        await page.waitForSelector(".visual-view:visible");
        assertEquals(await page.inputValue("#rb-priority"), "7");
        assertEquals(await page.inputValue("#f-id"), "long-tenure");

        // Simulate: how many, who, against what is live (nothing: a new rule).
        await page.click("button[value=simulate]");
        await page.waitForSelector("#simulation");
        const simulation = await page.locator("#simulation").innerText();
        assertMatch(simulation, /Would fire for \d+ customers? of the \d+ active now/);
        assertMatch(simulation, /The rule is not live yet/);
        assert(
          await page.locator("#simulation a[href^='/console/customers/']").count() > 0,
          "the customers it would fire for are listed",
        );
        await checkPage(page, "rules-simulation");

        // Publish with a reason.
        await page.fill("#f-reason", "Long-time starters deserve a nudge");
        await page.click("button[value=publish]");
        await page.waitForURL(`${t.origin}/console/rules/long-tenure?done=published`);
        assertMatch(await page.locator("p.notice").innerText(), /Published/);
        // A second version, so the history has a diff to show.
        await page.fill("#rb-conditions-all-0-value", "60");
        await page.fill("#f-reason", "Thirty days is too soon");
        await page.click("button[value=publish]");
        await page.waitForURL(`${t.origin}/console/rules/long-tenure?done=published`);

        await page.click("text=History");
        await page.waitForURL(`${t.origin}/console/rules/long-tenure/history`);
        const versions = await page.locator("ol.versions").innerText();
        assertMatch(versions, /Version 2 \(runs now\)/);
        assertMatch(versions, /Long-time starters/);
        assertMatch(versions, /definition.conditions.all\[0\].value\s+changed\s+30\s+60/);
        await checkPage(page, "rules-history");

        await page.goto(`${t.origin}/console/audit?subjectId=long-tenure`);
        const audit = await page.locator("ol.entries").innerText();
        assertMatch(audit, /rule.published on rule long-tenure/);
        assertMatch(audit, /reason: Long-time starters deserve a nudge/);
        assertEquals(problems, []);
      });
    });
  },
});
