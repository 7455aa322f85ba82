/** The overview: success metrics as charts, cycles, component health, alerts. */
import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { withConsole } from "../../helpers/console.ts";
import { NOW } from "../../helpers/fixtures.ts";
import { seedPopulation } from "../reports/population.ts";
import { refreshSuccessMetrics } from "../../../engine/reports/mod.ts";

Deno.test("console overview: the daily success metrics as charts with their values in words, cycles and health", async () => {
  await withConsole(async (t) => {
    const analyst = await t.signedIn("success-analyst");
    const empty = await analyst.get("/console");
    assertEquals(empty.status, 200);
    assertMatch(empty.html, /Average health<\/figcaption><p class="muted">No data yet/);
    assertMatch(empty.html, /No cycle has run yet\./);
    assertMatch(empty.html, /Next scheduled cycle: 2026-06-1\d \d\d:\d\d UTC/);
    assertMatch(empty.html, /No open alert\./);

    await seedPopulation(t.api.db, { interventions: true });
    await refreshSuccessMetrics(t.api.db, { slot: NOW, now: () => NOW, holder: "test" });
    await t.api.cycles.run("api");
    const page = await analyst.get("/console");
    // 14 June (docs of tests/engine/reports): average health 65, success rate 50 % on 13 June.
    assertMatch(
      page.html,
      /Average health: <strong>65<\/strong> <span class="muted">\(2026-06-14\)<\/span>/,
    );
    assertMatch(page.html, /role="img" aria-label="Average health: 65 on 2026-06-14, /);
    assertMatch(page.html, /<polyline points="[\d., ]+" class="line"><\/polyline>/);
    assertMatch(page.html, /Intervention success rate: <strong>\d+\.\d%<\/strong>/);
    assertMatch(
      page.html,
      /<th scope="row">#1<\/th><td data-label="Trigger">api<\/td><td data-label="Status">succeeded<\/td>/,
    );
    for (const component of ["engine", "ml", "interventions", "integrations", "privacy"]) {
      assert(page.html.includes(`<strong>${component}</strong>: `), component);
    }
    // One week measured (13 June): a and d sent (one kept), e held out (kept).
    assertMatch(
      page.html,
      /Retained 30 days after: <strong>50.0%<\/strong> of 2 treated customers against <strong>100.0%<\/strong> of 1 held out: an uplift of <strong>−50.0 points<\/strong>/,
    );
    assertMatch(page.html, /The dashboard plugin is not running in this engine/);

    // Streamed: each section comes as a template its script (with the response's nonce) puts
    // in place. Without JavaScript, ?whole=1 is the same page in one piece.
    const nonce = page.headers.get("content-security-policy")!.match(/'nonce-([^']+)'/)![1];
    const scripts = [...page.html.matchAll(/<script(?: nonce="([^"]*)")?>/g)];
    assert(scripts.length >= 5, `${scripts.length} inline scripts`);
    assert(scripts.every((script) => script[1] === nonce), "every inline script has the nonce");
    assertMatch(page.html, /^<!DOCTYPE html><html lang="en">/);
    assertMatch(page.html, /<noscript><p class="notice">.*href="\/console\?whole=1"/);
    const whole = await analyst.get("/console?whole=1");
    assert(!whole.html.includes("<template"), "no template in the whole page");
    assertMatch(whole.html, /Average health: <strong>65<\/strong>/);
    assertMatch(whole.html, /No open alert\./);
  });
});
