/**
 * The `privacy` component: is data kept past DATA_RETENTION_DAYS (the
 * retention job's last run, and the usage months still stored beyond the
 * window), and is personal data protected. Field encryption and privacy
 * requests arrive with a later issue, which replaces `privacyManagerCheck`.
 */
import { DAY_MS } from "../clock.ts";
import type { Config } from "../config.ts";
import { nextCronTicks } from "../cron_expression.ts";
import type { Db } from "../db/mod.ts";
import { lastRetentionRun, type RetentionRun } from "../privacy/mod.ts";
import { partitionsBefore } from "../signals/mod.ts";
import type { HealthCheck } from "./health_checks.ts";

/** The retention job's last run, and usage events stored beyond the window, month by month. */
export function retentionCheck(
  db: Db,
  config: Pick<Config, "DATA_RETENTION_DAYS" | "RETENTION_SCHEDULE">,
): HealthCheck {
  return {
    name: "retention",
    component: "privacy",
    async run({ now }) {
      const days = config.DATA_RETENTION_DAYS;
      const cutoff = new Date(now.getTime() - days * DAY_MS);
      const expired = (await partitionsBefore(db, cutoff)).filter((p) => p.hasEvents);
      const last = await lastRetentionRun(db);
      const details = {
        retentionDays: days,
        schedule: config.RETENTION_SCHEDULE,
        cutoff: cutoff.toISOString(),
        lastRun: last === null ? null : describeRun(last),
        expiredMonths: expired.map((p) => p.month),
      };
      const problem = runProblem(last, config.RETENTION_SCHEDULE, now);
      if (problem !== null) return { status: "degraded", message: problem, details };
      if (expired.length > 0) {
        return {
          status: "degraded",
          message:
            `Usage events older than the ${days}-day retention window (DATA_RETENTION_DAYS) ` +
            `are still stored, in ${expired.map((p) => p.month).join(", ")}: ` +
            (last === null
              ? "the retention job has not run yet; run `deno task retention:run`"
              : "the retention job's next run removes them"),
          details,
        };
      }
      return {
        status: "healthy",
        message: last === null
          ? `No usage event older than the ${days}-day retention window is stored; ` +
            "the retention job has not run yet"
          : `The retention job last ran at ${last.startedAt.toISOString()} (${last.status}) ` +
            `and removed ${removedRows(last)} rows older than ${days} days`,
        details,
      };
    },
  };
}

/** Why the last run is a problem: it failed, or the schedule has missed a run since. */
function runProblem(last: RetentionRun | null, schedule: string, now: Date): string | null {
  if (last === null) return null;
  if (last.status === "failed") {
    return `The retention job's last run (${last.startedAt.toISOString()}) failed: ${last.error}; ` +
      "it is tried again on RETENTION_SCHEDULE, or run `deno task retention:run`";
  }
  if (schedule === "off") return null;
  // Two ticks after the last run: one tick may still be running or about to.
  const overdue = nextCronTicks(schedule, last.startedAt, 2)[1];
  if (overdue !== undefined && overdue.getTime() < now.getTime()) {
    return `The retention job last ran at ${last.startedAt.toISOString()}, and has missed its ` +
      `schedule ("${schedule}") since: look for "retention" lines in the engine's log`;
  }
  return null;
}

function removedRows(run: RetentionRun): number {
  return run.removed.reduce((sum, r) => sum + r.rows, 0);
}

function describeRun(run: RetentionRun) {
  return {
    id: run.id,
    trigger: run.trigger,
    status: run.status,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    cutoff: run.cutoff.toISOString(),
    error: run.error,
    removed: run.removed,
  };
}

/** Field encryption and privacy requests: not built yet. */
export function privacyManagerCheck(
  config: Pick<
    Config,
    "PRIVACY_MANAGER_ENABLED" | "GDPR_COMPLIANCE_MODE" | "PRIVACY_ENCRYPTION_KEY"
  >,
): HealthCheck {
  return {
    name: "privacy-manager",
    component: "privacy",
    run() {
      const details = {
        enabled: config.PRIVACY_MANAGER_ENABLED,
        gdprComplianceMode: config.GDPR_COMPLIANCE_MODE,
        encryptionKeyConfigured: config.PRIVACY_ENCRYPTION_KEY !== undefined,
        personalDataEncrypted: false,
      };
      if (config.PRIVACY_MANAGER_ENABLED) {
        return Promise.resolve({
          status: "degraded",
          message: "Personal data (customer names, event properties) is stored unencrypted: " +
            "field-level encryption arrives with a later issue" +
            (details.encryptionKeyConfigured
              ? "; PRIVACY_ENCRYPTION_KEY is set but not used yet"
              : ""),
          details,
        });
      }
      return Promise.resolve(
        config.GDPR_COMPLIANCE_MODE
          ? {
            status: "degraded",
            message: "GDPR_COMPLIANCE_MODE is on but the privacy manager is turned off " +
              "(PRIVACY_MANAGER_ENABLED=false)",
            details,
          }
          : {
            status: "healthy",
            message: "The privacy manager is turned off (PRIVACY_MANAGER_ENABLED=false)",
            details,
          },
      );
    },
  };
}
