/**
 * The customer pages over HTTP: the list (search, filters, sort, 50 a
 * page, roles) and a customer's page with every section showing the data
 * the engine holds, empty states, and 404 for an unknown id.
 */
import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { type ConsoleClient, withConsole } from "../../helpers/console.ts";
import { NOW } from "../../helpers/fixtures.ts";
import { upsertCustomers } from "../../../engine/signals/mod.ts";
import { MODEL_VERSION, seedCustomers } from "./_customers_seed.ts";

/** The rows of a list page: id, health score and churn percentage as shown. */
function rows(html: string): Array<{ id: string; health: number | null; churn: number | null }> {
  return [...html.matchAll(
    /<a href="\/console\/customers\/([^"]+)">.*?<td data-label="Health">(.*?)<\/td><td data-label="Churn probability">(.*?)<\/td>/g,
  )].map((m) => ({
    id: decodeURIComponent(m[1]!),
    health: /^[\d.]+/.test(m[2]!) ? Number(m[2]!.match(/^[\d.]+/)![0]) : null,
    churn: /^[\d.]+%/.test(m[3]!) ? Number(m[3]!.match(/^[\d.]+/)![0]) : null,
  }));
}

async function list(client: ConsoleClient, query: string) {
  const page = await client.get(`/console/customers?${query}`);
  assertEquals(page.status, 200, query);
  return { page, rows: rows(page.html) };
}

Deno.test("customer list: search by id or email, filter by band and at-risk, sort by health or churn probability, 50 a page", async () => {
  await withConsole(async (t) => {
    await seedCustomers(t, 70);
    const analyst = await t.signedIn("success-analyst");

    // 50 a page, the next page continues without overlap.
    const first = await list(analyst, "sort=id");
    assertEquals(first.rows.length, 50);
    const nextHref = first.page.html.match(/href="\/console\/customers\?([^"]+)">Next 50/)![1]!;
    const second = await list(analyst, nextHref.replaceAll("&amp;", "&"));
    assertEquals(second.rows.length, 20);
    assertEquals(new Set([...first.rows, ...second.rows].map((r) => r.id)).size, 70);
    assertMatch(second.page.html, />First page<\/a>/);
    // Each row: name linking to the page, health with its band, churn, last activity.
    assertMatch(
      first.page.html,
      /<td data-label="Health">[\d.]+ <span class="band band-(healthy|fair|poor)">(healthy|fair|poor)<\/span><\/td><td data-label="Churn probability">[\d.]+%( \(not confident\))?<\/td><td data-label="Last activity">2026-0\d-\d\d \d\d:\d\d UTC<\/td>/,
    );

    // Search by the start of an id, and by a whole email address (a blind index).
    const byPrefix = await list(analyst, "q=sup_000001&sort=id");
    assert(byPrefix.rows.length >= 1 && byPrefix.rows.every((r) => r.id.startsWith("sup_000001")));
    const byEmail = await list(analyst, "q=SUP_0000007%40example.com");
    assertEquals(byEmail.rows.map((r) => r.id), ["sup_0000007"]);
    assertMatch(byEmail.page.html, /value="SUP_0000007@example.com"/);

    // Filters: a band, at risk only, health at most.
    const poor = await list(analyst, "band=poor&sort=-healthScore");
    assert(poor.rows.length > 0, "some customers are in the poor band");
    assert(poor.rows.every((r) => r.health !== null && r.health < 40));
    assertMatch(poor.page.html, /<option value="poor" selected="">/);
    const capped = await list(analyst, "maxHealth=55&sort=healthScore");
    assert(capped.rows.every((r) => r.health !== null && r.health <= 55));
    const atRisk = await list(analyst, "atRisk=on");
    const [riskCount] = await t.api.db.query<{ n: number }>(
      "select count(*)::int as n from customer_health_latest where at_risk_score > 70",
    );
    assertEquals(atRisk.rows.length, Math.min(riskCount!.n, 50));

    // Sorts: by health (lowest first) and by churn probability (highest first).
    const byHealth = (await list(analyst, "sort=healthScore")).rows.map((r) => r.health!);
    assertEquals(byHealth, [...byHealth].sort((a, b) => a - b));
    const byChurn = (await list(analyst, "sort=-churnProbability")).rows.map((r) => r.churn!);
    assertEquals(byChurn, [...byChurn].sort((a, b) => b - a));
    assertEquals(byChurn.length, 50);
    // The API sorts the same way, paging through the sort's cursor.
    const api = await t.api.call("GET", "/api/v1/customers?sort=-churnProbability&limit=30");
    const more = await t.api.call(
      "GET",
      `/api/v1/customers?sort=-churnProbability&limit=30&cursor=${api.body.nextCursor}`,
    );
    const apiIds = [...api.body.items, ...more.body.items].map((c: { id: string }) => c.id);
    assertEquals(
      apiIds.slice(0, 50),
      (await list(analyst, "sort=-churnProbability")).rows.map((r) => r.id),
    );

    // A search that is not an id or an email: the error beside the field, what was typed kept.
    const bad = await analyst.get("/console/customers?q=no+such+thing!");
    assertEquals(bad.status, 200);
    assertMatch(bad.html, /id="f-q-error">search by a customer id/);
    assertMatch(bad.html, /value="no such thing!"/);
    assertMatch(bad.html, /aria-invalid="true"/);
    // A cursor of another sort: the first page, said so.
    const stale = await analyst.get(
      `/console/customers?sort=-healthScore&${nextHref.replaceAll("&amp;", "&")}`,
    );
    assertMatch(stale.html, /That page link no longer fits these filters/);
  });
});

Deno.test("customer list: every role may read it; signed out goes to sign-in", async () => {
  await withConsole(async (t) => {
    const out = await t.client().get("/console/customers?q=sup_1");
    assertEquals(out.status, 303);
    assertEquals(out.location, "/console/sign-in?return=%2Fconsole%2Fcustomers%3Fq%3Dsup_1");
    for (const role of ["success-analyst", "success-manager", "admin"] as const) {
      const client = await t.signedIn(role);
      const page = await client.get("/console/customers");
      assertEquals(page.status, 200, role);
      assertMatch(page.html, /<a href="\/console\/customers" aria-current="page">Customers<\/a>/);
      assertMatch(page.html, /No customer matches this search and these filters\./);
      const unknown = await client.get("/console/customers/sup_nobody");
      assertEquals(unknown.status, 404);
      assertMatch(unknown.html, /There is no customer with the id <code>sup_nobody<\/code>/);
      assertMatch(unknown.html, /<a href="\/console\/customers">Back to the customer list<\/a>/);
    }
  });
});

Deno.test("customer page: why at risk, health trend and components, churn reasons, milestones, firings explained, interventions, inbox", async () => {
  await withConsole(async (t) => {
    const { riskiest } = await seedCustomers(t, 40);
    // What the outcomes stage measures 14 and 30 days on, for the newest intervention.
    await t.api.db.query(
      `insert into intervention_effects (intervention_id, baseline_at, health_before,
         health_after_14d, retained_30d)
       select id, planned_at, 31.5, 44.25, true from success_interventions
       where customer_id = $1 order by id desc limit 1`,
      [riskiest.id],
    );
    const manager = await t.signedIn("success-manager");
    const page = await manager.get(`/console/customers/${riskiest.id}`);
    assertEquals(page.status, 200);
    const html = page.html;
    assertMatch(html, new RegExp(`<h1>${riskiest.name.replaceAll("&", "&amp;")}</h1>`));

    // Why at risk, first: the signals, then the components and features behind them.
    const why = html.match(/<section class="why-at-risk"[\s\S]*?<\/section>/)![0];
    assertMatch(why, /is at risk: health [\d.]+ is poor \(below 40\)/);
    assertMatch(
      why,
      /<li>Engagement scores low \([\d.]+\/100\): days with a login in the last 30 days: /,
    );
    assertMatch(
      why,
      /<li>Days from the last signal of any kind to the start of the as-of day \(90 when none in 90 days\): \d+ days — raises the churn risk<\/li>/,
    );

    // Health: the score, its band, the trend chart with its values in words, the components.
    const health = await t.api.call(
      "GET",
      `/api/v1/customers/${riskiest.id}/health?historyDays=90`,
    );
    const history: Array<{ score: number; scoredAt: string }> = health.body.history;
    assert(history.length >= 8, `${history.length} scorings`);
    const latest = history.at(-1)!;
    const scores = history.map((h) => h.score);
    const fmt = (v: number) => v.toLocaleString("en", { maximumFractionDigits: 1 });
    assertMatch(
      html,
      /Health <strong class="score band-poor">[\d.]+<\/strong> of 100, <strong>poor<\/strong>/,
    );
    assert(
      html.includes(
        `aria-label="Health, last 90 days: ${fmt(latest.score)} on ${
          latest.scoredAt.slice(0, 10)
        }, ` +
          `${fmt(history[0]!.score)} on ${history[0]!.scoredAt.slice(0, 10)}; lowest ${
            fmt(Math.min(...scores))
          }, highest ${fmt(Math.max(...scores))}"`,
      ),
      "the chart's text alternative",
    );
    const points = html.match(/<polyline points="([^"]+)"/)![1]!.split(" ");
    assertEquals(points.length, history.length);
    for (
      const label of [
        "Engagement",
        "Feature adoption",
        "Milestone progress",
        "Support load",
        "Billing health",
      ]
    ) {
      assertMatch(
        html,
        new RegExp(`<th scope="row">${label}</th><td data-label="Score">[\\d.]+ / 100</td>`),
      );
    }
    assertMatch(
      html,
      /<td data-label="Weight">30% of the score<\/td><td data-label="Measures">days with a login in the last 30 days<\/td><td data-label="Value now">\d+ \(full marks at 15 or more\)<\/td>/,
    );

    // Churn: probability, confidence, model, time, and five reasons with a bar each.
    assertMatch(
      html,
      /Churn probability <strong class="score">[\d.]+%<\/strong> within the model&#39;s horizon, confidence [\d.]+% \(confident\)/,
    );
    assertMatch(html, new RegExp(`Model ${MODEL_VERSION}, predicted 2026-06-15 11:00 UTC`));
    const reasons = html.match(/<ol class="contributions"[\s\S]*?<\/ol>/)![0];
    assertEquals(reasons.match(/<li /g)?.length, 5);
    assertEquals(reasons.match(/<svg class="bar"/g)?.length, 5);
    assertMatch(
      reasons,
      /<strong>Plan \(starter &lt; professional &lt; scale &lt; enterprise\)<\/strong>: professional — lowers the churn risk/,
    );
    assertMatch(reasons, /<strong>Monthly revenue<\/strong>: \S*120 — raises the churn risk/);

    // Milestones, achieved and pending, as the API has them.
    const milestones = await t.api.call("GET", `/api/v1/customers/${riskiest.id}/milestones`);
    const achieved = milestones.body.items.filter((m: { achieved: boolean }) => m.achieved).length;
    assertMatch(html, new RegExp(`<h3>Achieved \\(${achieved}\\)</h3>`));
    assertMatch(
      html,
      new RegExp(`<h3>Pending \\(${milestones.body.items.length - achieved}\\)</h3>`),
    );

    // Firings with their explanations: rule name linked, each condition with its value.
    const firings = await t.api.call("GET", `/api/v1/customers/${riskiest.id}/firings`);
    assert(firings.body.items.length > 0, "a rule fired for the riskiest customer");
    const firing = firings.body.items[0];
    const rule = await t.api.call("GET", `/api/v1/rules/${firing.ruleId}`);
    assertMatch(
      html,
      new RegExp(
        `<a href="/console/rules/${firing.ruleId}">${rule.body.name}</a> <span class="muted">\\(version ${firing.ruleVersion}\\) fired 2026-06-15 12:00 UTC`,
      ),
    );
    assertMatch(html, /<li class="held"><strong>held<\/strong>: .+ — it was [\d.]+/);

    // Interventions with their status and template link.
    const interventions = await t.api.call("GET", `/api/v1/customers/${riskiest.id}/interventions`);
    assert(interventions.body.items.length > 0, "an intervention was planned");
    const intervention = interventions.body.items[0];
    assertMatch(
      html,
      new RegExp(
        `<a href="/console/templates/${intervention.templateId}">${intervention.templateId}</a>`,
      ),
    );
    assertMatch(html, /<td data-label="Status">(planned|held out|not sent)/);
    assertMatch(
      html,
      /<td data-label="Outcome">health 31.5 → 44.3 in 14 days; still a customer 30 days after<\/td>/,
    );

    // The inbox, unread.
    assertMatch(html, /1 unread of the 1 newest\./);
    assertMatch(
      html,
      /<strong>Need a hand with your first form\?<\/strong> <span class="muted">unread<\/span>/,
    );
    assertMatch(html, /We can set it up with you in ten minutes\./);

    // A healthy customer: no "why at risk".
    const [healthy] = await t.api.db.query<{ id: string }>(
      "select customer_id as id from customer_health_latest where score >= 70 and at_risk_score <= 70 order by customer_id limit 1",
    );
    const calm = await manager.get(`/console/customers/${healthy!.id}`);
    assert(!calm.html.includes("Why at risk"), "a healthy customer is not at risk");

    // A customer who has left is no longer "at risk": the same reasons read as why they left.
    await t.api.db.query("update customers set churned_at = $2 where id = $1", [
      riskiest.id,
      "2026-06-14T09:30:00Z",
    ]);
    const gone = await manager.get(`/console/customers/${riskiest.id}`);
    const left = gone.html.match(/<section class="why-at-risk"[\s\S]*?<\/section>/)![0];
    assertMatch(left, /<h2 id="why-at-risk">Why they left<\/h2>/);
    assertMatch(
      left,
      /churned 2026-06-14 09:30 UTC; their last scores read: health [\d.]+ is poor/,
    );
  });
});

Deno.test("customer page: a customer with no data yet has a sentence in every section; no model says so", async () => {
  await withConsole(async (t) => {
    await upsertCustomers(t.api.db, [{
      id: "sup_new",
      name: "Fern & Bloom",
      vendorType: "florist",
      plan: "starter",
      mrr: 49,
      currency: "GBP",
      country: "GB",
      timeZone: "Europe/London",
      signupDate: "2026-06-14",
      attributes: { email: "hello@fern.example" },
    }], { now: NOW });
    const analyst = await t.signedIn("success-analyst");
    const page = await analyst.get("/console/customers/sup_new");
    assertEquals(page.status, 200);
    assertMatch(page.html, /<h1>Fern &amp; Bloom<\/h1>/);
    assertMatch(page.html, /<dd>hello@fern.example<\/dd>/);
    assert(!page.html.includes("Why at risk"));
    assertMatch(page.html, /No health score yet/);
    assertMatch(page.html, /No churn prediction: no churn model is active in this engine yet/);
    assertMatch(page.html, /No rule has fired for this customer yet\./);
    assertMatch(page.html, /No intervention has been planned for this customer yet\./);
    assertMatch(page.html, /The in-app inbox is empty/);
    assertMatch(page.html, /<h3>Achieved \(0\)<\/h3><p>None achieved yet\.<\/p>/);
    // Listed, not scored yet.
    const found = await analyst.get("/console/customers?q=sup_new");
    assertMatch(
      found.html,
      /<td data-label="Health">not scored yet<\/td><td data-label="Churn probability">no prediction<\/td><td data-label="Last activity">none<\/td>/,
    );
  });
});
