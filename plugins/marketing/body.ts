/**
 * What one batch POST carries: a JSON body with the batch's events, each
 * with its id, kind, event type, time and the configured fields only, and
 * the headers that let the receiver trust it (an HMAC-SHA256 signature over
 * the timestamp and the raw body) and drop a repeat (the batch's
 * idempotency key, the same on every attempt).
 */
import { signBody } from "../../engine/plugins/mod.ts";
import type { BatchEvent } from "./batch_sql.ts";
import type { PickedFields } from "./fields.ts";
import type { MarketingKind } from "./selection.ts";

/** One event as the endpoint receives it. */
export type MarketingEventBody = {
  /** The event's id in the engine's event log: the same if it is ever sent again. */
  id: number;
  kind: MarketingKind;
  /** The domain event it came from, e.g. `health.changed`. */
  eventType: string;
  /** When it happened (ISO 8601). */
  occurredAt: string;
} & PickedFields;

/** The JSON body of one batch POST. */
export interface MarketingBatchBody {
  /** The batch's idempotency key (also the `Idempotency-Key` header). */
  batchId: string;
  /** When this attempt was sent (ISO 8601). */
  sentAt: string;
  events: MarketingEventBody[];
}

/** A batch ready to post: its raw body and headers. */
export interface SignedBatch {
  body: string;
  headers: Record<string, string>;
}

/** The body and signed headers of batch `idempotencyKey` with `events`, sent at `sentAt`. */
export async function signedBatch(
  idempotencyKey: string,
  events: readonly BatchEvent[],
  options: { secret: string; sentAt: Date },
): Promise<SignedBatch> {
  const payload: MarketingBatchBody = {
    batchId: idempotencyKey,
    sentAt: options.sentAt.toISOString(),
    // No field is named like a key of the envelope (fields.ts), so none overwrites one.
    events: events.map((event) => ({
      id: event.eventId,
      kind: event.kind,
      eventType: event.eventType,
      occurredAt: event.occurredAt.toISOString(),
      ...event.fields,
    })),
  };
  const body = JSON.stringify(payload);
  const timestamp = Math.floor(options.sentAt.getTime() / 1000);
  return {
    body,
    headers: {
      "Idempotency-Key": idempotencyKey,
      "X-CS-Timestamp": String(timestamp),
      "X-CS-Signature": await signBody(options.secret, timestamp, body),
    },
  };
}
