/**
 * Daily usage counts (usage_daily): per customer and UTC day, the event
 * counts the churn features read. Kept off the ingest path (an upsert there
 * cost ingestion a fifth of its throughput, bench/README.md) and brought up
 * to date instead before each scoring or training: the events received since
 * the last refresh are added to their days, a late event (an offline client's,
 * days old) to its own old day.
 *
 * Which events are "received since" is decided by `received_at`, which the
 * database stamps with the inserting transaction's start (`now()`). A
 * transaction still open may yet commit rows stamped earlier than anything
 * visible, so a refresh only counts rows stamped before the start of the
 * oldest transaction still open in this database; the rest wait for the next
 * refresh. So every event is counted exactly once.
 *
 * Events are only ever added here: whatever deletes stored events (a
 * customer's erasure, retention) must take their days out of usage_daily too.
 */
import type { Db, Loadable } from "../db/mod.ts";

/** What a refresh added. */
export interface DailyUsageRefresh {
  /** Events counted now. */
  events: number;
  /** Events received before this are counted. */
  receivedBefore: Date;
  /** Whether this was the first refresh, counting everything stored. */
  backfill: boolean;
}

/** The per-day count columns, and the event type each counts. */
const COUNTS: Record<string, string> = {
  logins: "login",
  features_used: "feature_used",
  clients_added: "client_added",
  forms_sent: "form_sent",
  payments_failed: "payment_failed",
  tickets_opened: "support_ticket_opened",
  tickets_resolved: "support_ticket_resolved",
};

const COLUMNS = ["events", ...Object.keys(COUNTS), "last_event_at", "nps_key"];

// One row per customer and day of the events `where` selects.
const aggregateSql = (where: string) => `
  select e.customer_id, (e.occurred_at at time zone 'UTC')::date as day,
    count(*)::int as events,
    ${
  Object.entries(COUNTS).map(([column, type]) =>
    `count(*) filter (where e.type = '${type}')::int as ${column}`
  ).join(",\n    ")
},
    max(e.occurred_at) as last_event_at,
    max(extract(epoch from e.occurred_at)::bigint * 16 + (e.properties ->> 'score')::int)
      filter (where e.type = 'nps_submitted') as nps_key
  from usage_events e
  where ${where}
  group by 1, 2`;

// Adds the days of the events `where` selects; says how many events that was.
// The first refresh reads one monthly partition at a time (`source`).
const addSql = (where: string, source = "usage_events") => `
  with fresh as (${aggregateSql(where).replace("from usage_events e", `from ${source} e`)}),
  added as (
    insert into usage_daily (customer_id, day, ${COLUMNS.join(", ")})
    select customer_id, day, ${COLUMNS.join(", ")} from fresh
    on conflict (customer_id, day) do update set
      ${
  ["events", ...Object.keys(COUNTS)].map((c) => `${c} = usage_daily.${c} + excluded.${c}`)
    .join(",\n      ")
},
      last_event_at = greatest(usage_daily.last_event_at, excluded.last_event_at),
      nps_key = greatest(usage_daily.nps_key, excluded.nps_key)
    returning 1
  )
  select coalesce(sum(events), 0)::int as events, (select count(*)::int from added) as days
  from fresh`;

const RECEIVED_SINCE = addSql("e.received_at >= $1 and e.received_at < $2");

// Events stamped before the oldest transaction still open in this database
// (other than this one) have all committed or rolled back.
const SETTLED_SQL = `
  select least(now(), min(a.xact_start)) as settled
  from pg_stat_activity a
  where a.datname = current_database() and a.pid <> pg_backend_pid()
    and a.xact_start is not null`;

/**
 * Brings usage_daily up to date with every settled event; one refresh at a
 * time (others wait). `onProgress` reports the first refresh's partitions.
 */
export async function refreshDailyUsage(
  db: Db,
  options: { onProgress?: (done: number, total: number) => void } = {},
): Promise<DailyUsageRefresh> {
  const refreshed = await addReceivedEvents(db, options.onProgress);
  // A first build writes the whole table: the visibility map and statistics
  // the features' index-only scan relies on come from a vacuum, now rather
  // than whenever autovacuum gets to it.
  if (refreshed.backfill) await db.exec("vacuum (analyze) usage_daily");
  return refreshed;
}

function addReceivedEvents(
  db: Db,
  onProgress?: (done: number, total: number) => void,
): Promise<DailyUsageRefresh> {
  return db.transaction(async (tx) => {
    await tx.query("select pg_advisory_xact_lock(hashtext('usage_daily:refresh'))");
    const [progress] = await tx.query<{ received_before: Date }>(
      "select received_before from usage_daily_progress",
    );
    const [{ settled }] = await tx.query<{ settled: Date }>(SETTLED_SQL) as [{ settled: Date }];
    const receivedBefore = new Date(settled);
    let events: number;
    if (progress) {
      const [row] = await tx.query<{ events: number }>(RECEIVED_SINCE, [
        progress.received_before,
        receivedBefore,
      ]);
      events = row?.events ?? 0;
    } else {
      events = await backfill(tx, receivedBefore, onProgress);
    }
    await tx.query(
      `insert into usage_daily_progress (received_before, refreshed_at) values ($1, now())
       on conflict (only_row) do update set received_before = excluded.received_before,
         refreshed_at = excluded.refreshed_at`,
      [receivedBefore],
    );
    await summarizeNewBlocks(tx);
    return { events, receivedBefore, backfill: !progress };
  });
}

async function backfill(
  tx: Loadable,
  receivedBefore: Date,
  onProgress?: (done: number, total: number) => void,
): Promise<number> {
  const partitions = await tx.query<{ name: string }>(
    `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
     where i.inhparent = 'usage_events'::regclass order by c.relname`,
  );
  let events = 0;
  onProgress?.(0, partitions.length);
  for (const [i, { name }] of partitions.entries()) {
    // Names come from the catalog (partitions of usage_events), so quoting them is safe.
    const [row] = await tx.query<{ events: number }>(
      addSql("e.received_at < $1", `"${name}"`),
      [receivedBefore],
    );
    events += row?.events ?? 0;
    onProgress?.(i + 1, partitions.length);
  }
  return events;
}

// The block-range index only skips ranges it has summarized; without
// autovacuum nothing else summarizes the ranges rows were appended to.
async function summarizeNewBlocks(tx: Loadable): Promise<void> {
  await tx.query(
    `select brin_summarize_new_values(i.inhrelid::regclass)
     from pg_inherits i where i.inhparent = 'idx_usage_events_received'::regclass`,
  );
}
