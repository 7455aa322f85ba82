/**
 * Monthly partitions of usage_events. A row for a month without a partition
 * cannot be stored, so partitions are created ahead: for the retention window
 * at start, and for any month a batch touches before it is written (outside
 * the batch's transaction, because creating a partition locks the parent).
 */
import type { Db, Queryable } from "../db/mod.ts";

const knownMonths = new WeakMap<Queryable, Set<string>>();

/** First day of `date`'s month (UTC) as YYYY-MM-01. */
export function monthOf(date: Date): string {
  return `${date.toISOString().slice(0, 7)}-01`;
}

/** Makes sure every month from `from` to `to` (inclusive) has a partition. */
export async function ensureEventPartitions(db: Db, from: Date, to: Date): Promise<void> {
  const months: string[] = [];
  const cursor = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), 1));
  while (cursor.getTime() <= to.getTime()) {
    months.push(monthOf(cursor));
    cursor.setUTCMonth(cursor.getUTCMonth() + 1);
  }
  await ensureMonths(db, months);
}

/** Makes sure the months of `dates` have partitions; remembers the ones it has seen. */
export async function ensurePartitionsFor(db: Db, dates: Iterable<Date>): Promise<void> {
  // Month numbers first: a batch of 1,000 events spans a month or two, and
  // formatting every date was a visible part of ingesting it.
  const months = new Set<number>();
  for (const date of dates) months.add(date.getUTCFullYear() * 12 + date.getUTCMonth());
  await ensureMonths(
    db,
    [...months].map((m) => monthOf(new Date(Date.UTC(Math.floor(m / 12), m % 12, 1)))),
  );
}

async function ensureMonths(db: Db, months: readonly string[]): Promise<void> {
  let known = knownMonths.get(db);
  if (!known) knownMonths.set(db, known = new Set());
  const missing = months.filter((m) => !known.has(m));
  if (missing.length === 0) return;
  await db.query(
    "select ensure_usage_events_partition(m::date) from unnest($1::text[]) as m",
    [missing],
  );
  for (const m of missing) known.add(m);
}
