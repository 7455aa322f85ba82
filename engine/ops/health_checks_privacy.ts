/**
 * The `privacy` component: is data kept past DATA_RETENTION_DAYS (the
 * retention job's last run, and the usage months still stored beyond the
 * window), and is personal data protected: encrypted, under which keys.
 * Privacy requests arrive with a later issue.
 */
import { type Clock, DAY_MS } from "../clock.ts";
import type { Config } from "../config.ts";
import { nextCronTicks } from "../cron_expression.ts";
import type { Db } from "../db/mod.ts";
import {
  KEY_PURPOSES,
  lastRetentionRun,
  piiKeyring,
  piiKeySource,
  registeredKeys,
  type RetentionRun,
} from "../privacy/mod.ts";
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

/**
 * Encryption at rest (which keys, from where, old keys not yet retired) and
 * the privacy manager's switches, and keys due for rotation (PII_KEY_ROTATION_DAYS).
 */
export function privacyManagerCheck(
  db: Db,
  config: Pick<
    Config,
    "PRIVACY_MANAGER_ENABLED" | "GDPR_COMPLIANCE_MODE" | "PII_KEY_ROTATION_DAYS"
  >,
  clock: Clock,
): HealthCheck {
  return {
    name: "privacy-manager",
    component: "privacy",
    async run() {
      const source = piiKeySource();
      const keyring = source === null ? null : piiKeyring();
      const active = keyring === null
        ? null
        : Object.fromEntries(KEY_PURPOSES.map((p) => [p, keyring.activeKeyId(p)]));
      const activeIds = new Set(Object.values(active ?? {}));
      // Registered, not retired and not active: values may still be under them (cheap: no scan).
      const registered = await registeredKeys(db);
      const oldKeys = registered
        .filter((k) => k.retiredAt === null && !activeIds.has(k.keyId)).map((k) => k.keyId);
      // The seed's rotation every 90 days: active keys in use for longer are due.
      const ageDays = (k: { registeredAt: Date }) =>
        Math.floor((clock.now().getTime() - k.registeredAt.getTime()) / DAY_MS);
      const due = registered.filter((k) =>
        activeIds.has(k.keyId) && ageDays(k) >= config.PII_KEY_ROTATION_DAYS
      );
      const details = {
        enabled: config.PRIVACY_MANAGER_ENABLED,
        gdprComplianceMode: config.GDPR_COMPLIANCE_MODE,
        personalDataEncrypted: keyring !== null,
        keySource: source?.kind ?? null,
        keyFile: source?.path ?? null,
        activeKeys: active,
        oldKeysNotRetired: oldKeys,
        keyRotationDays: config.PII_KEY_ROTATION_DAYS,
        activeKeyAgeDays: Object.fromEntries(
          registered.filter((k) => activeIds.has(k.keyId)).map((k) => [k.keyId, ageDays(k)]),
        ),
      };
      const problems: string[] = [];
      if (keyring === null) problems.push("The encryption keys are not loaded");
      if (source?.kind === "local") {
        problems.push(
          `Personal data is encrypted with the local key file ${source.path}, made for the ` +
            "embedded database: back it up apart from the data; in production set PII_KEY_FILE " +
            "or PRIVACY_ENCRYPTION_KEY",
        );
      }
      if (due.length > 0) {
        problems.push(
          `Keys ${due.map((k) => `${k.keyId} (${ageDays(k)} days)`).join(", ")} are due for ` +
            `rotation (PII_KEY_ROTATION_DAYS=${config.PII_KEY_ROTATION_DAYS}): configure new ` +
            "keys (deno task keys:generate --add, or a new PRIVACY_ENCRYPTION_KEY with the old " +
            "one in PRIVACY_ENCRYPTION_KEY_PREVIOUS) and run deno task keys:rotate",
        );
      }
      if (oldKeys.length > 0) {
        problems.push(
          `Values may still be under old keys ${oldKeys.join(", ")}: run deno task keys:rotate`,
        );
      }
      if (config.GDPR_COMPLIANCE_MODE && !config.PRIVACY_MANAGER_ENABLED) {
        problems.push(
          "GDPR_COMPLIANCE_MODE is on but the privacy manager is turned off " +
            "(PRIVACY_MANAGER_ENABLED=false)",
        );
      }
      const encrypted = active === null
        ? ""
        : "Personal data is encrypted at rest (AES-256-GCM) under the keys " +
          Object.values(active).join(", ");
      if (problems.length > 0) {
        return {
          status: "degraded",
          message: [encrypted, ...problems].filter((m) => m !== "").join("; "),
          details,
        };
      }
      return { status: "healthy", message: encrypted, details };
    },
  };
}
