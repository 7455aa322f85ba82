/**
 * What the console's browser tests share: axe-core's check of a page at
 * desktop and phone width (with a screenshot of each when CONSOLE_SCREENSHOTS
 * names a folder), keyboard moves, and signing in through the page.
 */
import axe from "axe-core";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { assert, assertEquals } from "./assert.ts";
import { launchChromium } from "./browser.ts";
import { PASSWORD } from "./console.ts";

/** Where screenshots go (docs/screenshots for the docs), or none. */
export const SCREENSHOTS = Deno.env.get("CONSOLE_SCREENSHOTS");

// Evaluated in the page (a string: this file is type-checked without the DOM's types).
export const FOCUSED_TEXT = "document.activeElement?.textContent?.trim() ?? ''";

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** The serious and critical axe-core violations on `page`, as `rule: targets` lines. */
export async function accessibilityProblems(page: Page): Promise<string[]> {
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

/**
 * Checks `page` at both widths: axe finds nothing serious, nothing overflows a
 * phone. `screenshot: false` for a page another test already pictures.
 */
export async function checkPage(
  page: Page,
  name: string,
  options: { screenshot?: boolean } = {},
): Promise<void> {
  for (const [width, size] of [["desktop", DESKTOP], ["phone", PHONE]] as const) {
    await page.setViewportSize(size);
    assertEquals(await accessibilityProblems(page), [], `${name} at ${width} width`);
    if (width === "phone") {
      const overflow = await page.evaluate<number>(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth",
      );
      assert(overflow <= 0, `${name} scrolls sideways on a phone by ${overflow}px`);
    }
    if (SCREENSHOTS && (options.screenshot ?? true)) {
      await page.screenshot({
        path: `${SCREENSHOTS}/console-${name}-${width}.png`,
        fullPage: true,
      });
    }
  }
  await page.setViewportSize(DESKTOP);
}

/** Presses Tab until the focused element's text is `text` (at most 30 times). */
export async function tabTo(page: Page, text: string): Promise<void> {
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate<string>(FOCUSED_TEXT);
    if (focused === text) return;
  }
  throw new Error(`Tab never reached "${text}"`);
}

/** Signs in on the sign-in page `page` shows (as `email` with `PASSWORD`). */
export async function signInOnPage(page: Page, email: string): Promise<void> {
  await page.fill("#f-email", email);
  await page.fill("#f-password", PASSWORD);
  await page.click("button:has-text('Sign in')");
  await page.waitForURL((url) => !url.pathname.endsWith("/sign-in"));
}

/**
 * Runs `fn` with a Chromium page at desktop size that records page errors
 * (`problems`), closing the browser after. The page bypasses the console's
 * CSP because axe is injected as an inline script.
 */
export async function withBrowserPage(
  fn: (page: Page, problems: string[], context: BrowserContext) => Promise<void>,
): Promise<void> {
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const context = await browser.newContext({ bypassCSP: true, viewport: DESKTOP });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    await fn(page, problems, context);
  } finally {
    await browser?.close();
  }
}
