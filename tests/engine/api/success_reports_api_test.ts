import { assert, assertEquals } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";
import { movableClock, NOW } from "../../helpers/fixtures.ts";
import { refreshSuccessMetrics, toCsv } from "../../../engine/reports/mod.ts";
import { seedPopulation, seedRoiPopulation } from "../reports/population.ts";

const refresh = (api: { db: Parameters<typeof refreshSuccessMetrics>[0] }, slot: Date) =>
  refreshSuccessMetrics(api.db, { slot, now: () => slot, holder: "test" });

Deno.test("the daily success metrics are served from the cache for 60 seconds", async () => {
  const clock = movableClock();
  await withApi(async (api) => {
    await seedPopulation(api.db);
    await refresh(api, NOW);
    const url = "/api/v1/reports/success-metrics?from=2026-06-13&to=2026-06-14";
    const first = await api.call("GET", url);
    assertEquals(first.status, 200, JSON.stringify(first.body));
    assertEquals(
      [first.headers.get("x-cache"), first.headers.get("age")],
      ["MISS", "0"],
    );
    assertEquals(first.headers.get("cache-control"), "private, max-age=60");
    assertEquals(first.body.refreshedAt, NOW.toISOString());
    assertEquals(first.body.rows.map((r: { atRiskCount: number }) => r.atRiskCount), [2, 1]);

    // New scores and a refresh: the cached report is served until it is 60 seconds old.
    await api.db.query(
      `insert into customer_health (customer_id, score, at_risk_score, components,
         at_risk_factors, model_version, scored_at)
       values ('a', 10, 95, '{}', '[]', 'test', '2026-06-14T18:00:00Z')`,
    );
    await refresh(api, new Date(NOW.getTime() + 60_000));
    clock.advance(59_000);
    const cached = await api.call("GET", url);
    assertEquals([cached.headers.get("x-cache"), cached.headers.get("age")], ["HIT", "59"]);
    assertEquals(cached.body.rows[1].atRiskCount, 1);
    clock.advance(1_000);
    const expired = await api.call("GET", url);
    assertEquals([expired.headers.get("x-cache"), expired.headers.get("age")], ["MISS", "0"]);
    // a's last score of the 14th is now 10, at risk: a and f.
    assertEquals(expired.body.rows[1].atRiskCount, 2);

    // Other parameters, another entry.
    const other = await api.call(
      "GET",
      "/api/v1/reports/success-metrics?from=2026-06-14&to=2026-06-14",
    );
    assertEquals(other.headers.get("x-cache"), "MISS");
  }, { clock });
});

Deno.test("fresh=true bypasses the report cache, for admins only", async () => {
  const clock = movableClock();
  await withApi(async (api) => {
    await seedPopulation(api.db);
    const url = "/api/v1/reports/churn?from=2026-05&to=2026-06";
    assertEquals((await api.call("GET", url)).headers.get("x-cache"), "MISS");
    await api.db.query("update customers set churned_at = null where id = 'e'");
    const hit = await api.call("GET", url);
    assertEquals([hit.headers.get("x-cache"), hit.body.rows[1].churned], ["HIT", 1]);
    const fresh = await api.call("GET", `${url}&fresh=true`);
    assertEquals([fresh.headers.get("x-cache"), fresh.body.rows[1].churned], ["BYPASS", 0]);
    // The fresh report replaced the cached one.
    assertEquals((await api.call("GET", url)).body.rows[1].churned, 0);
    const analyst = await api.call("GET", `${url}&fresh=true`, undefined, {
      authorization: `Bearer ${api.tokens["success-analyst"]}`,
    });
    assertEquals([analyst.status, analyst.body.code], [403, "FORBIDDEN"]);
    const allowed = await api.call("GET", url, undefined, {
      authorization: `Bearer ${api.tokens["success-analyst"]}`,
    });
    assertEquals(allowed.status, 200);
  }, { clock });
});

Deno.test("each report answers CSV with the JSON's rows, by Accept or format", async () => {
  await withApi(async (api) => {
    await seedPopulation(api.db, { interventions: true });
    await refresh(api, NOW);
    const reports = [
      "/api/v1/reports/success-metrics?from=2026-06-13&to=2026-06-14",
      "/api/v1/reports/churn?from=2026-03&to=2026-06",
      "/api/v1/reports/cohorts?by=plan,signupMonth",
      "/api/v1/reports/roi",
    ];
    for (const url of reports) {
      const json = await api.call("GET", url);
      assertEquals(json.status, 200, `${url}: ${JSON.stringify(json.body)}`);
      const csv = await api.call("GET", url, undefined, { accept: "text/csv" });
      assertEquals(csv.status, 200, url);
      assertEquals(csv.headers.get("content-type"), "text/csv; charset=utf-8; header=present");
      const rows = url.includes("/roi") ? [...json.body.rows, json.body.total] : json.body.rows;
      const header = (csv.body as string).split("\r\n")[0]!.split(",");
      assertEquals(csv.body, toCsv(header as never[], rows), url);
      assertEquals(Object.keys(rows[0] ?? json.body.total), header, url);
      const byFormat = await api.call("GET", `${url}${url.includes("?") ? "&" : "?"}format=csv`);
      assertEquals(byFormat.body, csv.body, url);
      // format wins over Accept.
      const asJson = await api.call(
        "GET",
        `${url}${url.includes("?") ? "&" : "?"}format=json`,
        undefined,
        { accept: "text/csv" },
      );
      assertEquals(asJson.body, json.body, url);
    }
    // Hand-checked lines: 14 June, and cohorts by plan (signup months kept apart).
    const daily = await api.call(
      "GET",
      "/api/v1/reports/success-metrics?from=2026-06-14&to=2026-06-14&format=csv",
    );
    assertEquals(
      (daily.body as string).split("\r\n")[1],
      "2026-06-14,65,2,1,3,1,1,0.3333,0,0,0,0,0,",
    );
    const cohorts = await api.call("GET", "/api/v1/reports/cohorts?by=plan&format=csv");
    assertEquals((cohorts.body as string).split("\r\n").slice(1, 3), [
      ",,professional,3,1,2,0.3333,0.6667,1,1,1,100",
      ",,starter,3,2,1,0.6667,0.3333,0,0,,70",
    ]);
  });
});

Deno.test("the ROI report credits only significant uplift and is cached for an hour", async () => {
  const clock = movableClock();
  await withApi(async (api) => {
    await seedRoiPopulation(api.db);
    const first = await api.call("GET", "/api/v1/reports/roi?window=30");
    assertEquals(first.status, 200, JSON.stringify(first.body));
    assertEquals(first.headers.get("cache-control"), "private, max-age=3600");
    assertEquals(
      first.body.rows.map((r: { ruleId: string; creditedRevenue: number }) => [
        r.ruleId,
        r.creditedRevenue,
      ]),
      [["feature-tip", 0], ["payment-failed", 600], ["win-back", 0]],
    );
    // Slack at 10 (REPORT_INTERVENTION_COSTS), email at its default 0.05: (600 − 100.7) / 100.7.
    assertEquals([first.body.total.cost, first.body.total.roi], [100.7, 4.9583]);
    assertEquals([first.body.costs.slack, first.body.costs.email], [10, 0.05]);
    clock.advance(3_599_000);
    const hit = await api.call("GET", "/api/v1/reports/roi");
    assertEquals([hit.headers.get("x-cache"), hit.headers.get("age")], ["HIT", "3599"]);
    clock.advance(1_000);
    assertEquals((await api.call("GET", "/api/v1/reports/roi")).headers.get("x-cache"), "MISS");
    // CSV: the rules, then the total.
    const csv = await api.call("GET", "/api/v1/reports/roi?format=csv");
    const lines = (csv.body as string).trimEnd().split("\r\n");
    assertEquals(lines.length, 5);
    assert(lines[4]!.startsWith("total,30,"), lines[4]);
  }, { clock, env: { REPORT_INTERVENTION_COSTS: "slack=10" } });
});

Deno.test("the reports say what is wrong with their query", async () => {
  await withApi(async (api) => {
    const cases: Array<[string, string]> = [
      ["/api/v1/reports/success-metrics?from=2026-06-14&to=2026-06-01", "query.from"],
      ["/api/v1/reports/success-metrics?from=2000-01-01&to=2026-06-01", "query.from"],
      ["/api/v1/reports/success-metrics?from=yesterday", "query.from"],
      ["/api/v1/reports/churn?from=2026-13", "query.from"],
      // Year 0 is a valid ISO date but no PostgreSQL one.
      ["/api/v1/reports/churn?from=0000-01", "query.from"],
      ["/api/v1/reports/success-metrics?from=0000-01-01&to=0000-02-01", "query.from"],
      ["/api/v1/reports/roi?to=0000-01-01T00:00:00Z", "query.to"],
      ["/api/v1/reports/cohorts?by=plan,colour", "query.by"],
      ["/api/v1/reports/roi?window=45", "query.window"],
      ["/api/v1/reports/roi?format=xml", "query.format"],
      ["/api/v1/reports/roi?from=2026-06-01&to=2026-05-01", "query.from"],
    ];
    for (const [url, path] of cases) {
      const answer = await api.call("GET", url);
      assertEquals([answer.status, answer.body.errors?.[0]?.path], [400, path], url);
    }
  });
});
