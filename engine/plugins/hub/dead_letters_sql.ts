/** `event_hub_dead_letters` and `event_hub_redeliveries`: events a plugin failed on for good. */
import type { Queryable } from "../../db/mod.ts";

/** A dead letter, as the API shows it. */
export interface DeadLetter {
  id: number;
  plugin: string;
  eventId: number;
  /** Null when the event is no longer in the log (retention). */
  eventType: string | null;
  customerId: string | null;
  attempts: number;
  lastError: string;
  failedAt: string;
  /** When an operator queued it for another delivery; null while it waits for one. */
  replayedAt: string | null;
  replayedBy: string | null;
}

/** Records that `plugin` failed on `eventId` for good. */
export async function insertDeadLetter(
  tx: Queryable,
  letter: { plugin: string; eventId: number; attempts: number; lastError: string; failedAt: Date },
): Promise<void> {
  await tx.query(
    `insert into event_hub_dead_letters (plugin, event_id, attempts, last_error, failed_at)
     values ($1, $2, $3, $4, $5)`,
    [letter.plugin, letter.eventId, letter.attempts, letter.lastError, letter.failedAt],
  );
}

/** Takes a delivered (or again dead-lettered) event off the plugin's redelivery queue. */
export async function deleteRedelivery(
  tx: Queryable,
  plugin: string,
  eventId: number,
): Promise<void> {
  await tx.query("delete from event_hub_redeliveries where plugin = $1 and event_id = $2", [
    plugin,
    eventId,
  ]);
}

/**
 * Marks the plugin's dead letters not replayed yet as replayed and queues
 * their events for another delivery; returns how many.
 */
export async function queueDeadLetters(
  tx: Queryable,
  plugin: string,
  change: { actor: string; now: Date },
): Promise<number> {
  const [row] = await tx.query<{ queued: number }>(
    `with replayed as (
       update event_hub_dead_letters set replayed_at = $2, replayed_by = $3
       where plugin = $1 and replayed_at is null returning id, event_id
     ), queued as (
       insert into event_hub_redeliveries (plugin, event_id, dead_letter_id, requested_at)
       select distinct on (event_id) $1, event_id, id, $2 from replayed order by event_id, id desc
       on conflict (plugin, event_id) do nothing returning 1
     )
     select (select count(*) from replayed)::int as queued`,
    [plugin, change.now, change.actor],
  );
  return row?.queued ?? 0;
}

/** Which dead letters to list. */
export interface DeadLetterQuery {
  /** `pending`: not replayed yet; `replayed`; or `all` (the default). */
  status?: "pending" | "replayed" | "all";
  /** The id of the last dead letter of the previous page. */
  cursor?: number;
  limit: number;
}

/** The plugin's dead letters, newest first. */
export async function listDeadLetters(
  db: Queryable,
  plugin: string,
  query: DeadLetterQuery,
): Promise<{ items: DeadLetter[]; nextCursor: number | null }> {
  const rows = await db.query<{
    id: number;
    event_id: number;
    type: string | null;
    customer_id: string | null;
    attempts: number;
    last_error: string;
    failed_at: Date;
    replayed_at: Date | null;
    replayed_by: string | null;
  }>(
    `select d.id, d.event_id, e.type, e.customer_id, d.attempts, d.last_error, d.failed_at,
       d.replayed_at, d.replayed_by
     from event_hub_dead_letters d left join event_log e on e.id = d.event_id
     where d.plugin = $1 and ($2::bigint is null or d.id < $2)
       and ($3 = 'all' or ($3 = 'pending') = (d.replayed_at is null))
     order by d.id desc limit $4`,
    [plugin, query.cursor ?? null, query.status ?? "all", query.limit + 1],
  );
  const items = rows.slice(0, query.limit).map((r) => ({
    id: r.id,
    plugin,
    eventId: r.event_id,
    eventType: r.type,
    customerId: r.customer_id,
    attempts: r.attempts,
    lastError: r.last_error,
    failedAt: r.failed_at.toISOString(),
    replayedAt: r.replayed_at?.toISOString() ?? null,
    replayedBy: r.replayed_by,
  }));
  return { items, nextCursor: rows.length > query.limit ? items.at(-1)!.id : null };
}
