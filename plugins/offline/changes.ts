/**
 * A page of a caller's feed (GET /changes): what came and went from the
 * caller's customers, the snapshot of its customers on a first sync, then
 * the domain events about them, in log order, with the cursor to resume from.
 *
 * No gaps: the snapshot starts at the log's horizon (every transaction before
 * it is finished and seen by the snapshot) and the events follow from there,
 * so a change is either in the snapshot or among the events after it, or
 * both (a client applies customers by version and events by id, so a repeat
 * is harmless). No repeats between pages: the cursor moves past what a page
 * sent, and only over finished transactions.
 */
import type { Queryable } from "../../engine/db/mod.ts";
import { scopeChangesSince } from "./assignments_sql.ts";
import type { Caller, Requester, Scope } from "./caller.ts";
import { badCursor, decodeCursor, encodeCursor, type FeedPosition } from "./cursor.ts";
import { type FeedEvent, isAfter, logBounds, readLog } from "./log_sql.ts";
import { type CustomerSnapshot, readSnapshots, snapshotPage } from "./snapshot_sql.ts";

/** One entry of a page. */
export type Change =
  /** A customer as it is now: on the first sync, or newly assigned to the caller. */
  | { kind: "customer"; snapshot: CustomerSnapshot }
  /** A customer no longer the caller's: forget it. */
  | { kind: "removed"; customerId: string }
  /** A domain event; a `customer.updated` carries the customer as it is now (null when deleted). */
  | { kind: "event"; event: FeedEvent; customer?: CustomerSnapshot | null };

/** What GET /changes answers. */
export interface ChangesPage {
  changes: Change[];
  /** Send it back to get what follows; it moves only past what this page holds. */
  cursor: string;
  /** More changes are ready now: ask again at once. */
  hasMore: boolean;
}

/** The page after `cursor` (null: a first sync) for the caller, at most about `limit` changes. */
export async function readChanges(
  db: Queryable,
  { caller, scope }: Requester,
  options: { cursor: string | null; limit: number },
): Promise<ChangesPage> {
  const bounds = await logBounds(db);
  const position = options.cursor === null
    ? firstSync(caller, scope, bounds.horizon)
    : checked(decodeCursor(options.cursor, caller.key), scope, bounds.nextTxId);
  const customers = scope.readsAll ? "all" as const : [...scope.assigned];
  const changes: Change[] = [];

  // Customers assigned or taken away since the cursor; the snapshot still to
  // come sends those it will reach anyway. These are sent whole, so a page can
  // hold more than `limit` changes after an admin assigned many customers.
  if (!scope.readsAll && position.revision < scope.revision) {
    const since = await scopeChangesSince(db, { caller: caller.key, revision: position.revision });
    changes.push(...since.removed.map((customerId) => ({ kind: "removed" as const, customerId })));
    const comingInSnapshot = (id: string) =>
      position.snapshotAfter !== null && id > position.snapshotAfter;
    const added = since.added.filter((id) => scope.assigned.has(id) && !comingInSnapshot(id));
    for (const snapshot of await readSnapshots(db, added)) {
      changes.push({ kind: "customer", snapshot });
    }
  }
  position.revision = scope.revision;

  let room = options.limit - changes.length;
  if (room <= 0) return page(changes, position, true);

  if (position.snapshotAfter !== null) {
    const snapshot = await snapshotPage(db, {
      after: position.snapshotAfter,
      customers,
      limit: room,
    });
    changes.push(...snapshot.snapshots.map((s) => ({ kind: "customer" as const, snapshot: s })));
    if (snapshot.more) {
      position.snapshotAfter = snapshot.snapshots.at(-1)!.customer.id;
      return page(changes, position, true);
    }
    // The snapshot is done; the log follows from the horizon it began at.
    position.snapshotAfter = null;
    room -= snapshot.snapshots.length;
    if (room <= 0) return page(changes, position, true);
  }

  const log = await readLog(db, { after: position, customers, limit: room });
  const updated = log.events.filter((e) => e.event.type === "customer.updated");
  const snapshots = await readSnapshots(db, updated.map((e) => e.event.customerId));
  const current = new Map(snapshots.map((s) => [s.customer.id, s]));
  for (const { event } of log.events) {
    changes.push(
      event.type === "customer.updated"
        ? { kind: "event", event, customer: current.get(event.customerId) ?? null }
        : { kind: "event", event },
    );
  }
  const last = log.events.at(-1)?.position;
  if (log.more) return page(changes, { ...position, ...last! }, true);
  // Every finished event of the caller's is sent: the cursor moves up to the
  // horizon, so the next read does not pass over others' events again.
  const horizon = { txId: log.horizon, eventId: 0 };
  const next = isAfter(horizon, last ?? position) ? horizon : last ?? position;
  return page(changes, { ...position, txId: next.txId, eventId: next.eventId }, false);
}

function firstSync(caller: Caller, scope: Scope, horizon: string): FeedPosition {
  return {
    caller: caller.key,
    revision: scope.revision,
    txId: horizon,
    eventId: 0,
    snapshotAfter: "",
  };
}

/**
 * Refuses a cursor this database cannot have issued: one past its newest
 * transaction or assignment revision comes from another database (or one
 * restored from a backup), and resuming from it would skip changes.
 */
function checked(position: FeedPosition, scope: Scope, nextTxId: string): FeedPosition {
  if (BigInt(position.txId) > BigInt(nextTxId) || position.revision > scope.revision) {
    throw badCursor(
      "comes from another database (or one restored from a backup): it is ahead of this one; " +
        "sync without a cursor to start over",
    );
  }
  return position;
}

function page(changes: Change[], position: FeedPosition, hasMore: boolean): ChangesPage {
  return { changes, cursor: encodeCursor(position), hasMore };
}
