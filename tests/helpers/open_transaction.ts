/**
 * A transaction that appends domain events and stays open: its events take
 * the lower ids while later transactions commit past them, the case every
 * reader of the event log must not skip.
 */
import type { Db } from "../../engine/db/mod.ts";
import { appendDomainEvents, type DomainEvent } from "../../engine/events/mod.ts";

/** An open transaction holding appended events. */
export interface OpenTransaction {
  /** Commits it; resolves once committed. */
  commit(): Promise<void>;
}

/** Appends `events` in a transaction left open; resolves once they are inserted. */
export async function holdEventsOpen(
  db: Db,
  events: readonly DomainEvent[],
): Promise<OpenTransaction> {
  const committing = Promise.withResolvers<void>();
  const inserted = Promise.withResolvers<void>();
  const done = db.transaction(async (tx) => {
    await appendDomainEvents(tx, events);
    inserted.resolve();
    await committing.promise;
  });
  // A failed insert must not leave the caller waiting for `inserted`.
  done.catch((error) => inserted.reject(error));
  await inserted.promise;
  return {
    commit() {
      committing.resolve();
      return done;
    },
  };
}
