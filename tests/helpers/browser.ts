/**
 * Debian's Chromium for the browser tests (playwright-core drives it): where
 * it is, whether it is there (the tests are ignored, and say so, when it is
 * not), and the flags this machine needs.
 */
import { type Browser, chromium } from "playwright-core";

/** Chromium's executable: CHROMIUM_PATH, else Debian's. */
export const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

/** Whether Chromium is installed; when not, browser tests are `ignore`d. */
export const hasChromium = await Deno.stat(CHROMIUM).then(() => true, () => false);

if (!hasChromium) {
  console.warn(
    `Chromium is not at ${CHROMIUM}: the browser tests are skipped (apt-get install chromium)`,
  );
}

// No sandbox as root, no GPU, no background calls home.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A headless Chromium; close it when done. */
export async function launchChromium(): Promise<Browser> {
  return await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
