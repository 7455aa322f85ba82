/**
 * The overview in Chromium: the uplift against holdout as a chart and in
 * words, the dashboard plugin's live feed showing an event as it happens
 * (over the console session, no token), and, on PostgreSQL, a section whose
 * table is locked shows "Loading …" while the rest of the page is usable,
 * then fills in when the lock goes; so does a customer's page.
 */
import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { hasChromium } from "../../helpers/browser.ts";
import { checkPage, signInOnPage, withBrowserPage } from "../../helpers/console_browser.ts";
import { withConsole } from "../../helpers/console.ts";
import { backend } from "../../helpers/db.ts";
import { NOW } from "../../helpers/fixtures.ts";
import { type PlantedIntervention, plantInterventions } from "../../helpers/interventions.ts";
import { plantEffects } from "../reports/population.ts";
import { DAY_MS } from "../../../engine/clock.ts";
import type { Db } from "../../../engine/db/mod.ts";
import { seedDemoData } from "../../../engine/demo/mod.ts";
import { scoringSettings } from "../../../engine/health/mod.ts";
import { refreshSuccessMetrics } from "../../../engine/reports/mod.ts";
import { firstPartyPlugin } from "../../../plugins/mod.ts";

/**
 * Eight weeks of 10 sends and 10 held out, 30-day retention measured: of the
 * treated 8 kept in even weeks and 7 in odd ones (60 of 80), of the holdout 5
 * a week but 4 in weeks 2 and 5 (38 of 80).
 */
async function plantUplift(db: Db): Promise<void> {
  const ids = (await db.query<{ id: string }>("select id from customers order by id limit 20"))
    .map((row) => row.id);
  const planted: PlantedIntervention[] = [];
  const kept: boolean[] = [];
  for (let week = 0; week < 8; week++) {
    const plannedAt = new Date(NOW.getTime() - (40 + week * 7) * DAY_MS);
    ids.forEach((customerId, i) => {
      const send = i < 10;
      planted.push({
        customerId,
        ruleId: "payment_failed_recovery",
        decision: send ? "send" : "holdout",
        plannedAt,
        ...(send ? { sentAt: plannedAt } : {}),
      });
      kept.push(send ? i < 8 - (week % 2) : i < 15 - (week === 2 || week === 5 ? 1 : 0));
    });
  }
  await plantEffects(db, await plantInterventions(db, planted), kept, NOW);
}

/** Runs `fn` while a transaction that ran `sql` holds its locks; they go when `fn` ends. */
async function whileHolding(db: Db, sql: string, fn: () => Promise<void>): Promise<void> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => release = resolve);
  let held!: () => void;
  const holding = new Promise<void>((resolve) => held = resolve);
  const transaction = db.transaction(async (tx) => {
    await tx.query(sql);
    held();
    await released;
  });
  await Promise.race([holding, transaction]);
  try {
    await fn();
  } finally {
    release();
    await transaction;
  }
}

Deno.test({
  name:
    "console overview in Chromium: uplift against holdout, and the live feed over the console session",
  ignore: !hasChromium,
  fn: async () => {
    await withConsole(async (t) => {
      await seedDemoData(t.api.db, {
        customers: 40,
        days: 120,
        seed: 5,
        asOf: NOW,
        historyWeeks: 12,
        scoring: scoringSettings(t.api.config),
      });
      await plantUplift(t.api.db);
      await refreshSuccessMetrics(t.api.db, { slot: NOW, now: () => NOW, holder: "test" });
      await t.user("ana@example.com", "success-analyst", "Ana Lima");

      await withBrowserPage(async (page, problems) => {
        await page.goto(`${t.origin}/console`);
        await signInOnPage(page, "ana@example.com");

        // 75% against 47.5%, 80 a group: +27.5 points, well clear of zero.
        assertMatch(
          await page.locator(".uplift-summary").innerText(),
          /75\.0% of 80 treated customers against 47\.5% of 80 held out: an uplift of \+27\.5 points \(95% interval \+\d+\.\d points to \+\d+\.\d points, better than doing nothing\)/,
        );
        assertMatch(
          (await page.locator("figure.chart svg[aria-label^='Weekly uplift']")
            .getAttribute("aria-label"))!,
          /^Weekly uplift against holdout \(points\): \+30\.0 on 2026-05-04, \+20\.0 on 2026-03-16; lowest \+20\.0, highest \+40\.0$/,
        );

        // The feed connects with the session cookie, then shows an event as it happens.
        const status = page.locator("#live-feed-status");
        await page.waitForFunction(
          "document.querySelector('#live-feed-status')?.textContent.startsWith('Live since')",
        );
        const [customer] = await t.api.db.query<{ id: string }>(
          "select id from customers order by id limit 1",
        );
        await t.api.plugins!.running("dashboard")!.handle(
          {
            id: 1,
            type: "health.changed",
            customerId: customer!.id,
            payload: { score: 41, previousScore: 63, atRiskScore: 75, previousAtRiskScore: 50 },
            occurredAt: "2026-06-15T12:03:00.000Z",
            recordedAt: "2026-06-15T12:03:00.000Z",
          },
          AbortSignal.timeout(5_000),
        );
        const item = page.locator(".live-events li").first();
        await item.waitFor();
        assertEquals(await item.innerText(), `12:03 ${customer!.id}: health 63 → 41`);
        assertMatch(await status.innerText(), /^Live: 1 event\(s\) since this page opened/);
        assertEquals(
          await item.locator("a").getAttribute("href"),
          `/console/customers/${customer!.id}`,
        );
        await page.waitForFunction(
          "document.querySelector('[data-metric=atRiskCustomers]')?.textContent === '1'",
        );
        await checkPage(page, "overview");
        assertEquals(problems, []);
      });
    }, { plugins: [firstPartyPlugin("dashboard")] });
  },
});

Deno.test({
  name:
    "console in Chromium: a section the database is slow to answer shows Loading while the rest of the page works (overview, customer page)",
  // PGlite has one connection: a lock held by the test would hold up the page's every query.
  ignore: !hasChromium || backend !== "postgres",
  fn: async () => {
    await withConsole(async (t) => {
      await seedDemoData(t.api.db, {
        customers: 20,
        days: 60,
        seed: 3,
        asOf: NOW,
        historyWeeks: 4,
        scoring: scoringSettings(t.api.config),
      });
      await refreshSuccessMetrics(t.api.db, { slot: NOW, now: () => NOW, holder: "test" });
      await t.user("ana@example.com", "success-analyst", "Ana Lima");
      await withBrowserPage(async (page, problems) => {
        await page.goto(`${t.origin}/console/sign-in`);
        await signInOnPage(page, "ana@example.com");

        // A refresh of the metrics view that does not end: its readers wait (a refresh holds
        // the view exclusively until its transaction ends), as behind a slow query.
        const loading = page.locator("p.loading", { hasText: "Loading the success metrics…" });
        await whileHolding(t.api.db, "refresh materialized view mv_success_metrics", async () => {
          await page.goto(`${t.origin}/console`, { waitUntil: "commit" });
          await loading.waitFor();
          // The other sections arrive meanwhile, and the navigation works.
          await page.locator("text=No open alert.").waitFor();
          assertEquals(
            await page.locator("figure.chart svg[aria-label^='Average health']").count(),
            0,
          );
          assert(await page.locator("nav >> text=Customers").isVisible());
          await checkPage(page, "overview-loading");
        });
        await page.locator("figure.chart svg[aria-label^='Average health']").waitFor();
        assertEquals(await loading.count(), 0);

        // A customer's page: who they are at once, their history when health answers.
        const [someone] = await t.api.db.query<{ id: string }>(
          "select id from customers order by id limit 1",
        );
        await whileHolding(
          t.api.db,
          "lock table customer_health in access exclusive mode",
          async () => {
            await page.goto(`${t.origin}/console/customers/${someone!.id}`, {
              waitUntil: "commit",
            });
            await page.locator("p.loading", {
              hasText: "Loading the customer's health, churn prediction and history…",
            }).waitFor();
            assertMatch(
              await page.locator("dl.customer-facts").innerText(),
              new RegExp(someone!.id),
            );
            assertEquals(await page.locator("h2#health").count(), 0);
          },
        );
        await page.locator("h2#health").waitFor();
        assertEquals(await page.locator("p.loading").count(), 0);

        assertEquals(problems, []);
      });
    });
  },
});
