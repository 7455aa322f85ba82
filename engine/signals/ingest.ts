/**
 * Ingesting a batch of usage events: all or nothing, idempotent by event id,
 * one statement for the batch, milestones evaluated in the same transaction.
 */
import { DAY_MS } from "../clock.ts";
import { type Db, PREPARED } from "../db/mod.ts";
import { EngineError, type FieldIssue } from "../errors.ts";
import { customerErased, erasedAmong } from "../privacy/mod.ts";
import { lockCustomers } from "./customers.ts";
import type { UsageEvent } from "./event_schema.ts";
import { evaluateMilestonesForEvents } from "./milestones.ts";
import { ensurePartitionsFor } from "./partitions.ts";
import { sealEventProperties } from "./property_sealing.ts";

/** What happened to a batch. */
export interface IngestResult {
  /** Events stored now. */
  accepted: number;
  /** Events ignored because their id was seen before (or earlier in the batch). */
  duplicates: number;
  duplicateIds: string[];
  /** Milestones these events completed. */
  milestonesAchieved: number;
}

/** Limits on event times. */
export interface IngestLimits {
  /** How far in the future an event may be (clock skew). */
  futureToleranceSeconds: number;
  /** Events older than this are outside retention and refused. */
  retentionDays: number;
}

const MAX_LISTED_ISSUES = 50;

/** Stores a validated batch; throws without storing anything if any event is unacceptable. */
export async function ingestEvents(
  db: Db,
  events: readonly UsageEvent[],
  options: { now: Date; limits: IngestLimits },
): Promise<IngestResult> {
  if (events.length === 0) {
    return { accepted: 0, duplicates: 0, duplicateIds: [], milestonesAchieved: 0 };
  }
  assertTimesInRange(events, options.now, options.limits);
  await ensurePartitionsFor(db, events.map((e) => e.occurredAt));
  // A second event with an id seen earlier in the batch is a duplicate, like one stored before.
  const seen = new Set<string>();
  const firsts = events.filter((e) => !seen.has(e.id) && seen.add(e.id));
  // Encrypted before the transaction: no crypto while the batch holds its locks.
  const properties = await Promise.all(firsts.map((e) => sealEventProperties(e.properties)));
  return await db.transaction(async (tx) => {
    const unknown = await lockCustomers(tx, firsts.map((e) => e.customerId));
    if (unknown.size > 0) {
      const erased = await erasedAmong(tx, "customer_id", [...unknown]);
      if (erased.size > 0) throw customerErased([...erased].map((id) => `customer "${id}"`));
      throw unknownCustomers(events, unknown);
    }
    const inserted = await tx.query<{ event_id: string }>(
      `with input as (
         select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[],
           $6::jsonb[]) as e(event_id, customer_id, type, user_id, occurred_at, properties)
       ),
       fresh as (
         insert into usage_event_ids (event_id, customer_id, occurred_at)
         select event_id, customer_id, occurred_at from input
         on conflict (event_id) do nothing
         returning event_id
       )
       -- received_at is the database's time, not the engine clock's: daily usage
       -- counts find new events by it (engine/signals/daily_usage.ts).
       insert into usage_events (event_id, customer_id, type, user_id, occurred_at, received_at, properties)
       select i.event_id, i.customer_id, i.type, i.user_id, i.occurred_at, now(), i.properties
       from input i join fresh f using (event_id)
       returning event_id`,
      [
        firsts.map((e) => e.id),
        firsts.map((e) => e.customerId),
        firsts.map((e) => e.type),
        firsts.map((e) => e.userId ?? null),
        firsts.map((e) => e.occurredAt.toISOString()),
        properties,
      ],
      PREPARED,
    );
    const stored = new Set(inserted.map((r) => r.event_id));
    const storedEvents = firsts.filter((e) => stored.has(e.id));
    const duplicateIds = events.filter((e) => !stored.delete(e.id)).map((e) => e.id);
    const { achieved } = storedEvents.length === 0
      ? { achieved: 0 }
      : await evaluateMilestonesForEvents(
        tx,
        storedEvents.map((e) => ({
          eventId: e.id,
          customerId: e.customerId,
          type: e.type,
          occurredAt: e.occurredAt,
          userId: e.userId ?? null,
        })),
      );
    return {
      accepted: inserted.length,
      duplicates: duplicateIds.length,
      duplicateIds,
      milestonesAchieved: achieved,
    };
  });
}

/** Why an event time is unacceptable, or null when it is fine. */
export function eventTimeProblem(occurredAt: Date, now: Date, limits: IngestLimits): string | null {
  const t = occurredAt.getTime();
  if (t > now.getTime() + limits.futureToleranceSeconds * 1000) {
    return `${occurredAt.toISOString()} is in the future (more than ${limits.futureToleranceSeconds} s ` +
      `ahead of the engine's clock, ${now.toISOString()}); check the sender's clock`;
  }
  if (t < now.getTime() - limits.retentionDays * DAY_MS) {
    return `${occurredAt.toISOString()} is older than the ${limits.retentionDays}-day retention ` +
      `window (DATA_RETENTION_DAYS); such events are not kept`;
  }
  return null;
}

function assertTimesInRange(events: readonly UsageEvent[], now: Date, limits: IngestLimits): void {
  const issues: FieldIssue[] = [];
  events.forEach((e, i) => {
    const problem = eventTimeProblem(e.occurredAt, now, limits);
    if (problem) issues.push({ path: `events[${i}].occurredAt`, message: problem });
  });
  if (issues.length > 0) {
    throw new EngineError(
      "EVENT_TIME_OUT_OF_RANGE",
      `${issues.length} event(s) have a time outside the accepted range; nothing was stored`,
      { issues: issues.slice(0, MAX_LISTED_ISSUES) },
    );
  }
}

function unknownCustomers(events: readonly UsageEvent[], unknown: Set<string>): EngineError {
  const issues: FieldIssue[] = [];
  events.forEach((e, i) => {
    if (!unknown.has(e.customerId)) return;
    issues.push({
      path: `events[${i}].customerId`,
      message: `no customer "${e.customerId}"; create it first with PUT /api/v1/customers/${
        encodeURIComponent(e.customerId)
      }`,
    });
  });
  return new EngineError(
    "UNKNOWN_CUSTOMER",
    `${issues.length} event(s) name customers that do not exist (${
      [...unknown].slice(0, 5).join(", ")
    }${unknown.size > 5 ? ", …" : ""}); nothing was stored`,
    { issues: issues.slice(0, MAX_LISTED_ISSUES) },
  );
}
