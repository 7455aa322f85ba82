/**
 * The console in a real Chromium: sign in and move around by keyboard,
 * filter the audit log, create a user; axe-core finds no serious or critical
 * accessibility problem on any page, at desktop and phone width. With
 * CONSOLE_SCREENSHOTS=docs/screenshots the test saves each main page there
 * (the pictures in README.md and docs/console.md).
 */
import axe from "axe-core";
import type { Browser, Page } from "playwright-core";
import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { hasChromium, launchChromium } from "../../helpers/browser.ts";
import { PASSWORD, withConsole } from "../../helpers/console.ts";
import { NOW } from "../../helpers/fixtures.ts";
import { seedDemoData } from "../../../engine/demo/mod.ts";
import { scoringSettings } from "../../../engine/health/mod.ts";
import { refreshSuccessMetrics } from "../../../engine/reports/mod.ts";

const SCREENSHOTS = Deno.env.get("CONSOLE_SCREENSHOTS");

// Evaluated in the page (a string: this file is type-checked without the DOM's types).
const FOCUSED_TEXT = "document.activeElement?.textContent?.trim() ?? ''";

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/** The serious and critical axe-core violations on `page`, as `rule: targets` lines. */
async function accessibilityProblems(page: Page): Promise<string[]> {
  if (!await page.evaluate(() => "axe" in globalThis)) {
    await page.addScriptTag({ content: (axe as unknown as { source: string }).source });
  }
  const results = await page.evaluate(async () => {
    const run = (globalThis as unknown as {
      axe: {
        run(): Promise<{
          passes: unknown[];
          violations: Array<
            { id: string; impact: string | null; nodes: Array<{ target: unknown }> }
          >;
        }>;
      };
    }).axe.run;
    const { passes, violations } = await run();
    return {
      passes: passes.length,
      violations: violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        targets: v.nodes.map((n) => JSON.stringify(n.target)),
      })),
    };
  });
  // Proof that axe looked at the page: it checks dozens of rules on any real page.
  assert(results.passes >= 10, `axe passed only ${results.passes} rules`);
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.targets.join(", ")}`);
}

/** Checks `page` at both widths: axe finds nothing serious, nothing overflows a phone. */
async function checkPage(page: Page, name: string): Promise<void> {
  for (const [width, size] of [["desktop", DESKTOP], ["phone", PHONE]] as const) {
    await page.setViewportSize(size);
    assertEquals(await accessibilityProblems(page), [], `${name} at ${width} width`);
    if (width === "phone") {
      const overflow = await page.evaluate<number>(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth",
      );
      assert(overflow <= 0, `${name} scrolls sideways on a phone by ${overflow}px`);
    }
    if (SCREENSHOTS) {
      await page.screenshot({
        path: `${SCREENSHOTS}/console-${name}-${width}.png`,
        fullPage: true,
      });
    }
  }
  await page.setViewportSize(DESKTOP);
}

/** Presses Tab until the focused element's text is `text` (at most 30 times). */
async function tabTo(page: Page, text: string): Promise<void> {
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate<string>(FOCUSED_TEXT);
    if (focused === text) return;
  }
  throw new Error(`Tab never reached "${text}"`);
}

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

      let browser: Browser | undefined;
      try {
        browser = await launchChromium();
        // The page's policy forbids inline scripts; axe is injected as one.
        const context = await browser.newContext({ bypassCSP: true, viewport: DESKTOP });
        const page = await context.newPage();
        const problems: string[] = [];
        page.on("pageerror", (error) => problems.push(error.message));

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
        await checkPage(page, "overview");

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
      } finally {
        await browser?.close();
      }
    });
  },
});
