/**
 * The `privacy` component: is data kept past DATA_RETENTION_DAYS, and is
 * personal data protected. The retention job, field encryption and privacy
 * requests arrive with a later issue, which replaces `privacyManagerCheck`
 * and reports the retention job's last run.
 */
import { DAY_MS } from "../clock.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db/mod.ts";
import { partitionsBefore } from "../signals/mod.ts";
import type { HealthCheck } from "./health_checks.ts";

/** Usage events stored beyond the retention window, month by month. */
export function retentionCheck(db: Db, config: Pick<Config, "DATA_RETENTION_DAYS">): HealthCheck {
  return {
    name: "retention",
    component: "privacy",
    async run({ now }) {
      const days = config.DATA_RETENTION_DAYS;
      const cutoff = new Date(now.getTime() - days * DAY_MS);
      const expired = (await partitionsBefore(db, cutoff)).filter((p) => p.hasEvents);
      const details = {
        retentionDays: days,
        cutoff: cutoff.toISOString(),
        lastRun: null,
        expiredMonths: expired.map((p) => p.month),
      };
      if (expired.length > 0) {
        return {
          status: "degraded",
          message:
            `Usage events older than the ${days}-day retention window (DATA_RETENTION_DAYS) ` +
            `are still stored, in ${expired.map((p) => p.month).join(", ")}: no retention job ` +
            "deletes expired data yet (it arrives with a later issue)",
          details,
        };
      }
      return {
        status: "healthy",
        message: `No usage event older than the ${days}-day retention window is stored ` +
          "(ingest refuses them); the retention job that deletes data as it ages arrives " +
          "with a later issue",
        details,
      };
    },
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
            "field-level encryption and privacy requests (access, deletion, portability) arrive " +
            "with a later issue" +
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
