/**
 * The refresh of mv_success_metrics on SUCCESS_METRICS_REFRESH_SCHEDULE
 * (Deno.cron, UTC; hourly by default). With several engines on one
 * database, the first to claim the tick's slot refreshes; the others skip
 * it. A view never refreshed (a new install) is refreshed at start, so the
 * daily metrics do not wait up to an hour for their first rows.
 */
import type { Clock } from "../clock.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db/mod.ts";
import type { Logger } from "../log.ts";
import {
  lastSuccessMetricsRefresh,
  refreshSuccessMetrics,
  type SuccessMetricsRefresh,
} from "../reports/mod.ts";

/** What the refresh needs. */
export interface SuccessMetricsDeps {
  db: Db;
  config: Config;
  clock: Clock;
  log: Logger;
}

/** Registers the refresh; false when off (SUCCESS_METRICS_REFRESH_SCHEDULE=off or no Deno.cron). */
export function scheduleSuccessMetricsRefresh(
  deps: SuccessMetricsDeps,
  signal: AbortSignal,
): boolean {
  const schedule = deps.config.SUCCESS_METRICS_REFRESH_SCHEDULE;
  if (schedule === "off" || typeof Deno.cron !== "function") return false;
  Deno.cron("success-metrics-refresh", schedule, { signal }, async () => {
    await runSuccessMetricsRefresh(deps, new Date());
  });
  return true;
}

/** Refreshes once at start when the view was never refreshed; returns what it did. Never throws. */
export async function refreshSuccessMetricsIfNever(
  deps: SuccessMetricsDeps,
): Promise<SuccessMetricsRefresh | null> {
  try {
    if (await lastSuccessMetricsRefresh(deps.db) !== null) return null;
  } catch (error) {
    // Run in the background at start: a database gone for a moment must not stop the engine.
    deps.log.error("reading when the success metrics were refreshed failed", { error });
    return null;
  }
  return await runSuccessMetricsRefresh(deps, deps.clock.now());
}

/** One refresh for the tick `slot`; null when another engine took it or it failed (logged). */
export async function runSuccessMetricsRefresh(
  deps: SuccessMetricsDeps,
  slot: Date,
): Promise<SuccessMetricsRefresh | null> {
  try {
    const done = await refreshSuccessMetrics(deps.db, {
      slot,
      now: () => deps.clock.now(),
      holder: `${Deno.hostname()}:${Deno.pid}`,
    });
    if (done) deps.log.info("success metrics refreshed", { ...done });
    return done;
  } catch (error) {
    // The view keeps its last rows, and the next tick tries again.
    deps.log.error("refreshing the success metrics failed", { error });
    return null;
  }
}
