/**
 * The customer pages in a real Chromium: a success manager searches for a
 * customer, opens one at risk and reads why; axe-core finds nothing serious
 * on the list or the customer page at desktop and phone width, and neither
 * scrolls sideways on a phone. With CONSOLE_SCREENSHOTS=docs/screenshots
 * the test saves console-customers-*.png and console-customer-*.png.
 */
import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { hasChromium } from "../../helpers/browser.ts";
import { checkPage, signInOnPage, withBrowserPage } from "../../helpers/console_browser.ts";
import { withConsole } from "../../helpers/console.ts";
import { seedCustomers } from "./_customers_seed.ts";

Deno.test({
  name:
    "customer pages in Chromium: search for a customer, open one at risk and read why; axe finds nothing serious",
  ignore: !hasChromium,
  fn: async () => {
    await withConsole(async (t) => {
      const { riskiest } = await seedCustomers(t, 60);
      await t.user("ben@example.com", "success-manager", "Ben Okafor");

      await withBrowserPage(async (page, problems) => {
        await page.goto(`${t.origin}/console/customers`);
        await signInOnPage(page, "ben@example.com");
        await page.waitForURL(`${t.origin}/console/customers`);
        assertEquals(await page.locator("table.customers tbody tr").count(), 50);
        await checkPage(page, "customers");

        // Search by the customer's id: one row, which opens the customer.
        await page.fill("#f-q", riskiest.id);
        await page.selectOption("#f-sort", "-churnProbability");
        await page.click("button:has-text('Search')");
        await page.waitForURL(/q=sup_/);
        assertEquals(await page.locator("table.customers tbody tr").count(), 1);
        assertEquals(await page.inputValue("#f-q"), riskiest.id);
        await page.click(`table.customers a:has-text("${riskiest.name}")`);
        await page.waitForURL(`${t.origin}/console/customers/${riskiest.id}`);

        // Why at risk: read at the top of the page.
        const why = await page.locator("section.why-at-risk").innerText();
        assertMatch(
          why,
          new RegExp(
            `${
              riskiest.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
            } is at risk: health [\\d.]+ is poor`,
          ),
        );
        assertMatch(why, /scores low \([\d.]+\/100\)/);
        assertMatch(why, /raises the churn risk/);
        // The reasons of the prediction, the trend in words, an explained firing.
        assertEquals(await page.locator("ol.contributions li").count(), 5);
        assertMatch(
          (await page.locator("#health-trend-title + svg").getAttribute("aria-label"))!,
          /^Health, last 90 days: [\d.]+ on 2026-06-15, [\d.]+ on 2026-0\d-\d\d; lowest [\d.]+, highest [\d.]+$/,
        );
        assert(await page.locator("ul.conditions li.held").count() > 0, "a condition that held");
        await checkPage(page, "customer");

        // A rule's name leads to its page.
        const ruleLink = page.locator("ol.firings a").first();
        assertMatch((await ruleLink.getAttribute("href"))!, /^\/console\/rules\/[a-z0-9-]+$/);
        assertEquals(problems, []);
      });
    });
  },
});
