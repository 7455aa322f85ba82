/**
 * The `privacy-requests` check of the privacy component: requests still open
 * after their due date (30 days) make it degraded, naming the oldest, so an
 * operator sees a deadline slip before a customer does.
 */
import type { Config } from "../config.ts";
import type { Db } from "../db/mod.ts";
import { overduePrivacyRequests } from "../privacy/mod.ts";
import type { HealthCheck } from "./health_checks.ts";

/** Open, overdue and failed privacy requests. */
export function privacyRequestsCheck(
  db: Db,
  config: Pick<Config, "PRIVACY_REQUEST_SCHEDULE">,
): HealthCheck {
  return {
    name: "privacy-requests",
    component: "privacy",
    async run({ now }) {
      const [counts] = await db.query<{ open: number; failed: number }>(
        `select count(*) filter (where status in ('pending', 'processing'))::int as open,
           count(*) filter (where status = 'failed')::int as failed
         from privacy_requests`,
      );
      const overdue = await overduePrivacyRequests(db, now);
      const details = {
        schedule: config.PRIVACY_REQUEST_SCHEDULE,
        open: counts?.open ?? 0,
        failed: counts?.failed ?? 0,
        overdue: overdue.count,
        oldestOverdueDueAt: overdue.oldestDueAt?.toISOString() ?? null,
      };
      if (overdue.count > 0) {
        return {
          status: "degraded",
          message: `${overdue.count} privacy request(s) are past their due date (the oldest was ` +
            `due ${overdue.oldestDueAt!.toISOString()}): see GET /api/privacy/requests?status=` +
            "pending and each request's note" +
            (config.PRIVACY_REQUEST_SCHEDULE === "off"
              ? "; PRIVACY_REQUEST_SCHEDULE is off, run `deno task privacy:process`"
              : ""),
          details,
        };
      }
      return {
        status: "healthy",
        message: `${details.open} privacy request(s) open, none overdue`,
        details,
      };
    },
  };
}
