/**
 * POST /push: a batch of items a client queued offline, answered item by
 * item (answers.ts). One transaction per batch: the usage events, customer
 * changes and remembered answers of a batch are stored together or not at
 * all. A push that fails (the database went away) stores nothing, answers
 * nothing, and is sent again as it was.
 */
import type { Db } from "../../engine/db/mod.ts";
import { EngineError } from "../../engine/errors.ts";
import { customerErased, erasedAmong } from "../../engine/privacy/mod.ts";
import { ensurePartitionsFor, ingestEvents, lockCustomers } from "../../engine/signals/mod.ts";
import { parseOrThrow } from "../../engine/validation.ts";
import {
  duplicateOf,
  type FinalAnswer,
  type ItemAnswer,
  type ListedAnswer,
  rejected,
} from "./answers.ts";
import { type Caller, type Requester, type Scope, writes } from "./caller.ts";
import { batchClock, type ClockReading } from "./clock_skew.ts";
import { applyCustomerChanges, type CustomerChange } from "./customer_changes.ts";
import { inTransaction } from "./in_transaction.ts";
import { pushBatchSchema, type PushItem, pushItem } from "./push_items.ts";
import { type AnswerToKeep, claimKeys, keepAnswers, readReceipts } from "./receipts_sql.ts";
import type { OfflineSettings } from "./settings.ts";

/** What POST /push answers. */
export interface PushResult {
  clock: ClockReading;
  accepted: number;
  duplicates: number;
  conflicts: number;
  rejected: number;
  /** Milestones the accepted usage events completed. */
  milestonesAchieved: number;
  /** One answer per item, in batch order. */
  items: ListedAnswer[];
}

/** Applies a pushed batch for the caller; throws VALIDATION_FAILED only when `body` is not a batch. */
export async function pushChanges(
  db: Db,
  who: Requester,
  { body, now, settings }: { body: unknown; now: Date; settings: OfflineSettings },
): Promise<PushResult> {
  const { caller } = who;
  const batch = parseOrThrow(pushBatchSchema(settings.maxPushItems), body, { what: "push" });
  const clock = batchClock(batch.client.sentAt, now, settings);
  const items = await Promise.all(batch.items.map((raw, i) => pushItem(raw, { index: i, clock })));
  const firsts = new Map<string, PushItem>();
  for (const item of items) {
    if (item.key !== null && !firsts.has(item.key)) firsts.set(item.key, item);
  }
  // Outside the transaction: creating a month's partition locks usage_events.
  await ensurePartitionsFor(
    db,
    items.flatMap((i) =>
      i.check.ok && i.check.item.kind === "usage" ? [i.check.item.event.occurredAt] : []
    ),
  );
  const { answers, milestonesAchieved } = await db.transaction(async (tx) => {
    const answers = new Map<number, ItemAnswer>();
    const claimed = await claimKeys(
      tx,
      [...firsts.values()].map((i) => ({ key: i.key!, fingerprint: i.fingerprint })),
      { caller: caller.key, clientId: batch.client.id, now },
    );
    const fresh = [...firsts.values()].filter((i) => claimed.has(i.key!));
    const earlier = [...firsts.values()].filter((i) => !claimed.has(i.key!));
    const receipts = await readReceipts(tx, earlier.map((i) => i.key!));
    for (const item of earlier) {
      const receipt = receipts.get(item.key!);
      if (!receipt) {
        throw new EngineError("INTERNAL", `The answer to key "${item.key}" could not be read`);
      }
      answers.set(
        item.index,
        receipt.caller !== caller.key
          ? rejected(
            `items[${item.index}].key`,
            "was used by another caller; every item needs a key of its own (a UUID, say)",
          )
          : receipt.fingerprint !== item.fingerprint
          ? rejected(
            `items[${item.index}].key`,
            `was used at ${receipt.answer.answeredAt} for a different item (answered ` +
              `${receipt.answer.status}); every item needs a key of its own`,
          )
          : duplicateOf(receipt.answer),
      );
    }
    const applied = await applyItems(inTransaction(db, tx), fresh, { who, now, settings });
    const keep: AnswerToKeep[] = fresh.map((item) => ({
      key: item.key!,
      answer: applied.answers.get(item.index)!,
      customerId: item.customerId,
      at: item.at,
    }));
    await keepAnswers(tx, keep);
    for (const [index, answer] of applied.answers) answers.set(index, answer);
    return { answers, milestonesAchieved: applied.milestonesAchieved };
  });

  const listed = items.map((item): ListedAnswer => {
    const answer = answers.get(item.index) ?? repeatAnswer(item, { firsts, answers, now });
    return { index: item.index, key: item.key, ...answer };
  });
  const count = (status: ItemAnswer["status"]) => listed.filter((a) => a.status === status).length;
  return {
    clock: clock.reading,
    accepted: count("accepted"),
    duplicates: count("duplicate"),
    conflicts: count("conflict"),
    rejected: count("rejected"),
    milestonesAchieved,
    items: listed,
  };
}

/** The answer to an item without a usable key, or to a later item with an earlier one's key. */
function repeatAnswer(
  item: PushItem,
  { firsts, answers, now }: {
    firsts: ReadonlyMap<string, PushItem>;
    answers: ReadonlyMap<number, ItemAnswer>;
    now: Date;
  },
): ItemAnswer {
  if (item.key === null) {
    return item.check.ok
      ? rejected(`items[${item.index}].key`, "is required")
      : { status: "rejected", errors: item.check.errors };
  }
  const first = firsts.get(item.key)!;
  if (first.fingerprint !== item.fingerprint) {
    return rejected(
      `items[${item.index}].key`,
      `is also the key of items[${first.index}], a different item; every item needs a key of its own`,
    );
  }
  const original = answers.get(first.index)!;
  return original.status === "duplicate"
    ? original
    : duplicateOf({ ...original, answeredAt: now.toISOString() });
}

/** Applies the items whose keys this push claimed; every one gets a final answer. */
async function applyItems(
  txDb: Db,
  items: readonly PushItem[],
  options: { who: Requester; now: Date; settings: OfflineSettings },
): Promise<{ answers: Map<number, FinalAnswer>; milestonesAchieved: number }> {
  const { caller, scope } = options.who;
  const answers = new Map<number, FinalAnswer>();
  const valid = items.flatMap((item) => {
    if (item.check.ok) return [{ index: item.index, item: item.check.item }];
    answers.set(item.index, { status: "rejected", errors: item.check.errors });
    return [];
  });
  const customerOf = (v: typeof valid[number]) =>
    v.item.kind === "usage" ? v.item.event.customerId : v.item.customerId;
  // Holds off customer deletion until the push commits (as ingestion does).
  const unknown = await lockCustomers(txDb, valid.map(customerOf));
  const erased = await erasedAmong(txDb, "customer_id", [...unknown]);
  const allowed = valid.filter((v) => {
    const id = customerOf(v);
    if (!unknown.has(id) && writes(scope, id)) return true;
    if (erased.has(id)) {
      answers.set(v.index, {
        status: "rejected",
        code: "CUSTOMER_ERASED",
        errors: [{
          path: `items[${v.index}].customerId`,
          message: customerErased([`customer "${id}"`]).message,
        }],
      });
      return false;
    }
    answers.set(v.index, rejected(`items[${v.index}].customerId`, notYours(id, caller, scope)));
    return false;
  });

  const usage = allowed.flatMap((v) =>
    v.item.kind === "usage" ? [{ ...v, event: v.item.event }] : []
  );
  const ingested = await ingestEvents(txDb, usage.map((u) => u.event), {
    now: options.now,
    limits: {
      futureToleranceSeconds: options.settings.toleranceSeconds,
      retentionDays: options.settings.retentionDays,
    },
  });
  const storedBefore = new Set(ingested.duplicateIds);
  for (const { index, event } of usage) {
    answers.set(
      index,
      storedBefore.has(event.id)
        ? {
          status: "duplicate",
          message: `An event with id "${event.id}" was stored before, not by an offline push ` +
            "(POST /api/v1/events or an import); it was not stored again",
          original: null,
        }
        : { status: "accepted", kind: "usage", occurredAt: event.occurredAt.toISOString() },
    );
  }

  const changes: CustomerChange[] = allowed.flatMap((v) =>
    v.item.kind === "customer" ? [{ index: v.index, change: v.item }] : []
  );
  for (const [index, answer] of await applyCustomerChanges(txDb, changes, { now: options.now })) {
    answers.set(index, answer);
  }
  return { answers, milestonesAchieved: ingested.milestonesAchieved };
}

/**
 * Why the caller cannot push for `customerId`. Callers who do not read every
 * customer are not told whether it exists: it is not theirs either way.
 */
function notYours(customerId: string, caller: Caller, scope: Scope): string {
  const assign = `an admin assigns customers with PUT /plugins/offline/assignments/${caller.key}`;
  if (scope.writesAll || scope.assigned.has(customerId)) {
    return `no customer "${customerId}"; create it first with PUT /api/v1/customers/${
      encodeURIComponent(customerId)
    }`;
  }
  if (scope.readsAll) {
    return `"${customerId}" is not assigned to you: a ${caller.role} reads every customer but ` +
      `pushes only for customers assigned to it; ${assign}`;
  }
  return `"${customerId}" is not one of your customers; ${assign}`;
}
