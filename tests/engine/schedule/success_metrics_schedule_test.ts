import { assertEquals } from "../../helpers/assert.ts";
import { withTestDb } from "../../helpers/db.ts";
import { NOW } from "../../helpers/fixtures.ts";
import { loadConfig } from "../../../engine/config.ts";
import { silentLogger } from "../../../engine/log.ts";
import { lastSuccessMetricsRefresh } from "../../../engine/reports/mod.ts";
import {
  refreshSuccessMetricsIfNever,
  runSuccessMetricsRefresh,
  scheduleSuccessMetricsRefresh,
} from "../../../engine/schedule/mod.ts";
import { seedPopulation } from "../reports/population.ts";

Deno.test("refreshSuccessMetricsIfNever() fills a never-refreshed view once, at start", async () => {
  await withTestDb(async (db) => {
    await seedPopulation(db);
    const deps = { db, config: loadConfig({}), clock: { now: () => NOW }, log: silentLogger };
    assertEquals((await refreshSuccessMetricsIfNever(deps))?.days, 106);
    assertEquals(await lastSuccessMetricsRefresh(db), NOW);
    // Refreshed before: the schedule takes it from here.
    assertEquals(await refreshSuccessMetricsIfNever(deps), null);
  });
});

Deno.test("a failed refresh is logged and recorded, and keeps the view's rows", async () => {
  await withTestDb(async (db) => {
    await seedPopulation(db);
    const errors: string[] = [];
    const deps = {
      db,
      config: loadConfig({}),
      clock: { now: () => NOW },
      log: { ...silentLogger, error: (message: string) => errors.push(message) },
    };
    await runSuccessMetricsRefresh(deps, NOW);
    // Without its unique index the view cannot be refreshed concurrently: the refresh fails.
    await db.exec("drop index mv_success_metrics_date");
    const later = new Date(NOW.getTime() + 3_600_000);
    assertEquals(await runSuccessMetricsRefresh(deps, later), null);
    assertEquals(errors, ["refreshing the success metrics failed"]);
    const [run] = await db.query<{ error: string | null }>(
      `select outcome->>'error' as error from scheduled_job_runs
       where job = 'success-metrics-refresh' and slot = $1`,
      [later],
    );
    assertEquals(typeof run?.error, "string");
    // The last good refresh is still the one reported.
    assertEquals(await lastSuccessMetricsRefresh(db), NOW);
    const [count] = await db.query<{ n: number }>(
      "select count(*)::int as n from mv_success_metrics",
    );
    assertEquals(count?.n, 106);
  });
});

Deno.test("scheduleSuccessMetricsRefresh() registers nothing when the schedule is off", async () => {
  await withTestDb((db) => {
    const config = loadConfig({ SUCCESS_METRICS_REFRESH_SCHEDULE: "off" });
    const deps = { db, config, clock: { now: () => NOW }, log: silentLogger };
    assertEquals(scheduleSuccessMetricsRefresh(deps, new AbortController().signal), false);
    return Promise.resolve();
  });
});
