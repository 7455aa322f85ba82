/**
 * The privacy request job on PRIVACY_REQUEST_SCHEDULE (Deno.cron, UTC; every
 * minute by default). Like the retention job, the first engine to claim the
 * tick's slot in scheduled_job_runs runs it; requests are claimed one by one
 * as well, so `deno task privacy:process` can run beside it.
 */
import type { Config } from "../config.ts";
import { type Db, runOncePerTick } from "../db/mod.ts";
import type { Logger } from "../log.ts";
import type { Clock } from "../clock.ts";
import type { PersonalDataHolders } from "./personal_data.ts";
import type { PrivacyRequest } from "./privacy_requests.ts";
import { processPrivacyRequests } from "./request_processing.ts";

/** The job's name in scheduled_job_runs. */
export const PRIVACY_REQUEST_JOB = "privacy-requests";

/** What the scheduled job needs. */
export interface PrivacyRequestDeps {
  db: Db;
  config: Pick<Config, "PRIVACY_REQUEST_SCHEDULE">;
  clock: Clock;
  log: Logger;
  holders: PersonalDataHolders;
}

/** Registers the job; false when off (PRIVACY_REQUEST_SCHEDULE=off or no Deno.cron). */
export function schedulePrivacyRequests(deps: PrivacyRequestDeps, signal: AbortSignal): boolean {
  const schedule = deps.config.PRIVACY_REQUEST_SCHEDULE;
  if (schedule === "off" || typeof Deno.cron !== "function") return false;
  Deno.cron(PRIVACY_REQUEST_JOB, schedule, { signal }, async () => {
    await runScheduledPrivacyRequests(deps, new Date());
  });
  return true;
}

/** One run for the tick `slot`; null when another engine took it or it failed (logged). */
export async function runScheduledPrivacyRequests(
  deps: PrivacyRequestDeps,
  slot: Date,
): Promise<PrivacyRequest[] | null> {
  const { db, clock, log } = deps;
  try {
    const processed = await runOncePerTick(
      db,
      { job: PRIVACY_REQUEST_JOB, slot, now: () => clock.now() },
      () => processPrivacyRequests(db, { holders: deps.holders, now: () => clock.now() }),
      (ended) =>
        "result" in ended
          ? { processed: ended.result.length, succeeded: true }
          : { processed: null, succeeded: false },
    );
    if (processed && processed.length > 0) {
      // Ids and statuses only: a request's customer is personal data.
      log.info("privacy requests processed", {
        requests: processed.map((r) => ({ id: r.id, type: r.type, status: r.status })),
      });
    }
    return processed;
  } catch (error) {
    log.error("the privacy request job failed", { error });
    return null;
  }
}
