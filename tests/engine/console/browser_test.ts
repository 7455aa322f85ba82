/**
 * The console in a real Chromium: sign in and move around by keyboard,
 * filter the audit log, create a user; axe-core finds no serious or critical
 * accessibility problem on any page, at desktop and phone width. With
 * CONSOLE_SCREENSHOTS=docs/screenshots the test saves each main page there
 * (the pictures in README.md and docs/console.md).
 */
import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { hasChromium } from "../../helpers/browser.ts";
import { checkPage, FOCUSED_TEXT, tabTo, withBrowserPage } from "../../helpers/console_browser.ts";
import { PASSWORD, withConsole } from "../../helpers/console.ts";
import { NOW } from "../../helpers/fixtures.ts";
import { seedDemoData } from "../../../engine/demo/mod.ts";
import { scoringSettings } from "../../../engine/health/mod.ts";
import { refreshSuccessMetrics } from "../../../engine/reports/mod.ts";

Deno.test({
  name:
    "console in Chromium: sign in and move by keyboard, filter the audit log, create a user; axe finds nothing serious",
  ignore: !hasChromium,
  fn: async () => {
    await withConsole(async (t) => {
      // A small demo population, so the overview has history to chart.
      await seedDemoData(t.api.db, {
        customers: 60,
        days: 120,
        seed: 9,
        asOf: NOW,
        historyWeeks: 12,
        scoring: scoringSettings(t.api.config),
      });
      await refreshSuccessMetrics(t.api.db, { slot: NOW, now: () => NOW, holder: "test" });
      await t.api.cycles.run("api");
      await t.user("ana@example.com", "admin", "Ana Lima");
      await t.user("ben@example.com", "success-manager", "Ben Okafor");

      await withBrowserPage(async (page, problems) => {
        // Signed out: the console sends you to sign-in and back to where you were going.
        await page.goto(`${t.origin}/console/audit`);
        assertMatch(page.url(), /\/console\/sign-in\?return=%2Fconsole%2Faudit$/);
        await checkPage(page, "sign-in");
        await page.keyboard.press("Tab");
        assertEquals(
          await page.evaluate<string>(FOCUSED_TEXT),
          "Skip to content",
        );
        await tabTo(page, "");
        await page.keyboard.type("ana@example.com");
        await page.keyboard.press("Tab");
        await page.keyboard.type(PASSWORD);
        await page.keyboard.press("Enter");
        await page.waitForURL(`${t.origin}/console/audit`);

        // The audit log: filter by action, read an entry's diff.
        await page.fill("#f-action", "user.created");
        await page.click("button:has-text('Filter')");
        await page.waitForURL(/action=user.created/);
        const entries = await page.locator("li.entry").count();
        assertEquals(entries, 2);
        await page.locator("li.entry summary").first().click();
        const firstDiff = await page.locator("li.entry table.diff").first().innerText();
        assertMatch(firstDiff, /email\s+added\s+"ben@example.com"/);
        assertMatch(await page.locator("p.status").innerText(), /Hash chain verified/);
        await checkPage(page, "audit");

        // By keyboard from the navigation to the overview.
        await page.focus("body");
        await tabTo(page, "Overview");
        await page.keyboard.press("Enter");
        await page.waitForURL(`${t.origin}/console`);
        assertEquals(await page.locator("figure.chart").count(), 4);
        assertMatch(
          (await page.locator("figure.chart svg").first().getAttribute("aria-label"))!,
          /^Average health: [\d.]+ on 2026-06-1\d/,
        );
        // Pictured by overview_browser_test.ts, with its live feed and uplift.
        await checkPage(page, "overview", { screenshot: false });

        // Users: a bad form shows its error beside the field; a good one creates the user.
        await page.click("nav >> text=Users");
        await page.waitForURL(`${t.origin}/console/users`);
        await page.fill("#f-email", "cho@example.com");
        await page.fill("#f-displayName", "Cho Park");
        await page.selectOption("#f-role", "success-analyst");
        await page.fill("#f-password", "too short");
        await page.click("button:has-text('Create user')");
        await page.waitForSelector("#f-password-error");
        assertEquals(
          await page.locator("#f-password-error").innerText(),
          "must be at least 12 characters",
        );
        assertEquals(await page.inputValue("#f-email"), "cho@example.com");
        await checkPage(page, "users-error");
        await page.fill("#f-password", "a long enough password");
        await page.click("button:has-text('Create user')");
        await page.waitForSelector("text=Created the user cho@example.com.");
        assertMatch(await page.locator("table.users").innerText(), /Cho Park/);
        await checkPage(page, "users");

        // An analyst sees only what the role allows.
        await page.click("button:has-text('Sign out')");
        await page.waitForURL(/\/console\/sign-in/);
        await page.fill("#f-email", "cho@example.com");
        await page.fill("#f-password", "a long enough password");
        await page.click("button:has-text('Sign in')");
        await page.waitForURL(`${t.origin}/console`);
        const nav = await page.locator("nav").innerText();
        assert(!nav.includes("Users") && !nav.includes("Audit"), nav);
        assertEquals(problems, []);
      });
    });
  },
});
