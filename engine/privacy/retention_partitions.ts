/**
 * Monthly partitions wholly before the retention cutoff: usage_events and
 * churn_prediction_logs are partitioned by month, so retention detaches and
 * drops a whole month instead of deleting its rows one by one (no dead rows,
 * no vacuum, and the statement takes a moment whatever the month holds).
 */
import type { Db, Queryable } from "../db/mod.ts";

/** The tables retention drops by month, and the column they are partitioned on. */
export const PARTITIONED_TABLES = ["usage_events", "churn_prediction_logs"] as const;

/** One of PARTITIONED_TABLES. */
export type PartitionedTable = typeof PARTITIONED_TABLES[number];

/** A month partition that lies wholly before the cutoff. */
export interface ExpiredPartition {
  table: PartitionedTable;
  /** The partition's own table, e.g. usage_events_2024_01. */
  name: string;
  /** Rows it holds (counted before it is dropped). */
  rows: number;
}

/** The first instant no dropped partition reaches: the first day of the cutoff's month (UTC). */
export function partitionBound(cutoff: Date): Date {
  return new Date(Date.UTC(cutoff.getUTCFullYear(), cutoff.getUTCMonth(), 1));
}

/**
 * The partitions of `table` whose month ends at or before `cutoff`, oldest
 * first, with their row counts. A month that reaches into the window is never
 * listed: its rows stay until the whole month has aged out.
 */
export async function expiredPartitions(
  db: Queryable,
  table: PartitionedTable,
  cutoff: Date,
): Promise<ExpiredPartition[]> {
  const rows = await db.query<{ name: string }>(
    `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
     where i.inhparent = $1::regclass order by c.relname`,
    [table],
  );
  // Partitions are named <table>_YYYY_MM by ensure_*_partition, each holding exactly that month.
  const pattern = new RegExp(`^${table}_(\\d{4})_(\\d{2})$`);
  const bound = partitionBound(cutoff).getTime();
  const expired = rows.flatMap(({ name }) => {
    const match = pattern.exec(name);
    if (!match) return [];
    const end = Date.UTC(Number(match[1]), Number(match[2]), 1); // 0-based month: the next month
    return end <= bound ? [name] : [];
  });
  const result: ExpiredPartition[] = [];
  for (const name of expired) {
    // The name comes from the catalog and matched the pattern, so quoting it is safe.
    const [count] = await db.query<{ n: number }>(`select count(*)::int as n from "${name}"`);
    result.push({ table, name, rows: count?.n ?? 0 });
  }
  return result;
}

/**
 * Detaches and drops one partition in a short transaction. The lock on the
 * parent waits at most `lockTimeoutMs`: ingestion and scoring go first, and
 * the partition is dropped by the next run instead (the error says so).
 */
export async function dropPartition(
  db: Db,
  partition: ExpiredPartition,
  options: { lockTimeoutMs: number },
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(`select set_config('lock_timeout', $1, true)`, [`${options.lockTimeoutMs}ms`]);
    await tx.exec(
      `alter table "${partition.table}" detach partition "${partition.name}";
       drop table "${partition.name}";`,
    );
  });
}
