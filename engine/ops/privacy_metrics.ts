/**
 * `cs_privacy_requests_overdue`, read from the database at scrape time: a
 * request past its due date is a legal deadline missed, worth an alert.
 */
import type { Clock } from "../clock.ts";
import type { Db } from "../db/mod.ts";
import { privacyRequestTypes } from "../privacy/mod.ts";
import type { EngineMetrics } from "./engine_metrics.ts";

/** Sets the overdue gauge, per request type, before every scrape. */
export function watchPrivacyRequests(metrics: EngineMetrics, db: Db, clock: Clock): void {
  metrics.registry.onCollect(async () => {
    const rows = await db.query<{ type: string; n: number }>(
      `select type, count(*)::int as n from privacy_requests
       where status in ('pending', 'processing') and due_at < $1 group by type`,
      [clock.now()],
    ).catch(() => null); // The database check reports an outage; the scrape still answers.
    if (rows === null) return;
    for (const type of privacyRequestTypes) {
      metrics.privacyRequestsOverdue.set({ type }, rows.find((r) => r.type === type)?.n ?? 0);
    }
  });
}
