/**
 * The retention job on RETENTION_SCHEDULE (Deno.cron, UTC; daily by
 * default). With several engines on one database, the first to claim the
 * tick's slot in scheduled_job_runs runs it; the others skip that tick.
 */
import type { Config } from "../config.ts";
import { type Db, runOncePerTick } from "../db/mod.ts";
import type { Logger } from "../log.ts";
import type { Clock } from "../clock.ts";
import { EngineError } from "../errors.ts";
import { type RetentionReport, runRetention } from "./retention.ts";
import type { PluginTable } from "./retention_batches.ts";

/** The job's name in scheduled_job_runs. */
export const RETENTION_JOB = "data-retention";

/** What the scheduled job needs. */
export interface RetentionDeps {
  db: Db;
  config: Pick<Config, "DATA_RETENTION_DAYS" | "RETENTION_SCHEDULE" | "RETENTION_BATCH_SIZE">;
  clock: Clock;
  log: Logger;
  /** Tables plugins keep in the engine's database (their manifests' `retention`). */
  pluginTables?: readonly PluginTable[];
}

/** Registers the job; false when off (RETENTION_SCHEDULE=off or no Deno.cron). */
export function scheduleRetention(deps: RetentionDeps, signal: AbortSignal): boolean {
  const schedule = deps.config.RETENTION_SCHEDULE;
  if (schedule === "off" || typeof Deno.cron !== "function") return false;
  Deno.cron(RETENTION_JOB, schedule, { signal }, async () => {
    await runScheduledRetention(deps, new Date());
  });
  return true;
}

/** One run for the tick `slot`; null when another engine took it or it failed (logged). */
export async function runScheduledRetention(
  deps: RetentionDeps,
  slot: Date,
): Promise<RetentionReport | null> {
  const { db, clock, log } = deps;
  try {
    const report = await runOncePerTick(
      db,
      { job: RETENTION_JOB, slot, now: () => clock.now() },
      () =>
        runRetention(db, {
          retentionDays: deps.config.DATA_RETENTION_DAYS,
          now: () => clock.now(),
          trigger: "schedule",
          batchSize: deps.config.RETENTION_BATCH_SIZE,
          pluginTables: deps.pluginTables ?? [],
        }),
      (ended) =>
        "result" in ended
          ? { runId: ended.result.runId, succeeded: true }
          : { runId: null, succeeded: false },
    );
    if (report) {
      log.info("retention removed expired data", {
        runId: report.runId,
        removed: report.removed.filter((r) => r.rows > 0),
      });
    }
    return report;
  } catch (error) {
    if (error instanceof EngineError && error.code === "RETENTION_ALREADY_RUNNING") {
      // A command's run is removing the same data: nothing is lost by skipping this tick.
      log.info("retention skipped: another run is in progress", { error: error.message });
      return null;
    }
    // The run is recorded as failed (health/privacy shows it); the next tick tries again.
    log.error("the retention job failed", { error });
    return null;
  }
}
