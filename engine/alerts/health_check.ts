/**
 * The `alerts` check of the `engine` component: which alerts are open, and
 * whether their notifications reached everyone. An open alert makes the
 * engine degraded (something it watches needs a person), never unhealthy:
 * the alert's subject has its own check.
 */
import type { Db } from "../db/mod.ts";
import type { HealthCheck } from "../ops/mod.ts";
import { alertSummary } from "./alerts_store.ts";

/** Open alerts and undelivered notifications. */
export function alertsCheck(db: Db): HealthCheck {
  return {
    name: "alerts",
    component: "engine",
    async run() {
      const summary = await alertSummary(db);
      const details = { ...summary };
      const problems: string[] = [];
      if (summary.open.length > 0) {
        problems.push(
          `${summary.open.length} alert(s) open: ${
            summary.open.map((a) =>
              `${a.ruleId} (${a.severity}${a.acknowledged ? ", acknowledged" : ""})`
            ).join(", ")
          }; see GET /api/v1/alerts?status=open`,
        );
      }
      if (summary.failed > 0) {
        problems.push(
          `${summary.failed} notification(s) of open alerts failed for good (a wrong key or URL?)`,
        );
      }
      if (summary.undelivered > 0) {
        problems.push(`${summary.undelivered} notification(s) of open alerts wait for a retry`);
      }
      return problems.length > 0
        ? { status: "degraded", message: problems.join("; "), details }
        : { status: "healthy", message: "No alert is open", details };
    },
  };
}
