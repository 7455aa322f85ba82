/**
 * What the retention window (DATA_RETENTION_DAYS) leaves behind: monthly
 * partitions of usage_events that lie wholly before the window and still hold
 * events. The retention job (engine/privacy) drops them; the health checks
 * report any it has not dropped yet.
 */
import type { Queryable } from "../db/mod.ts";

/** A monthly partition of usage_events. */
export interface EventPartition {
  /** Its month, YYYY-MM. */
  month: string;
  /** Whether any event is stored in it. */
  hasEvents: boolean;
}

const PARTITION_NAME = /^usage_events_(\d{4})_(\d{2})$/;

/**
 * The partitions whose month ended at or before `cutoff`, oldest first, with
 * whether they hold events (one statement; `exists` stops at a partition's
 * first row, so this stays cheap however large the partitions are).
 */
export async function partitionsBefore(db: Queryable, cutoff: Date): Promise<EventPartition[]> {
  const rows = await db.query<{ name: string }>(
    `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
     where i.inhparent = 'usage_events'::regclass order by c.relname`,
  );
  const months = rows.flatMap(({ name }) => {
    const match = PARTITION_NAME.exec(name);
    if (!match) return [];
    const end = Date.UTC(Number(match[1]), Number(match[2]), 1); // month index is 0-based: next month
    return end <= cutoff.getTime() ? [{ name, month: `${match[1]}-${match[2]}` }] : [];
  });
  if (months.length === 0) return [];
  // Names come from the catalog and match PARTITION_NAME, so quoting them is safe.
  const probes = months.map(({ name, month }) =>
    `select '${month}' as month, exists (select 1 from "${name}") as has_events`
  );
  const found = await db.query<{ month: string; has_events: boolean }>(probes.join(" union all "));
  const hasEvents = new Map(found.map((r) => [r.month, r.has_events]));
  return months.map(({ month }) => ({ month, hasEvents: hasEvents.get(month) ?? false }));
}
