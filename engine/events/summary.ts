/** The event log's size and newest entry, for the health checks. */
import type { Queryable } from "../db/mod.ts";

/** How far the event log has grown. */
export interface EventLogSummary {
  /**
   * The newest event's id. Ids only grow (a rolled-back append skips one), so
   * this is how many events were appended, near enough, without counting rows.
   */
  lastEventId: number | null;
  lastRecordedAt: Date | null;
}

/** Reads the newest event (one primary-key lookup). */
export async function eventLogSummary(db: Queryable): Promise<EventLogSummary> {
  const [row] = await db.query<{ id: number; recorded_at: Date }>(
    "select id, recorded_at from event_log order by id desc limit 1",
  );
  return { lastEventId: row?.id ?? null, lastRecordedAt: row?.recorded_at ?? null };
}
