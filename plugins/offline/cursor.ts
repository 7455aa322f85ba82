/**
 * The feed's cursors: opaque to clients, a small versioned JSON document
 * inside. A cursor names a place in one caller's feed: the log position
 * (inserting transaction, event id) after which events come next, the
 * assignment revision already sent, and, during the first sync, the last
 * customer of the snapshot sent so far. It grants nothing: whatever it says,
 * a page holds only the caller's own customers.
 */
import { z } from "zod";
import { EngineError } from "../../engine/errors.ts";

/** A place in a caller's feed. */
export interface FeedPosition {
  caller: string;
  /** The caller's assignment revision whose changes were sent. */
  revision: number;
  /**
   * The log position (xid8 as text: it can exceed 2^53, and event id): the
   * next events are those after it in (tx_id, id) order.
   */
  txId: string;
  eventId: number;
  /**
   * During the first sync, the customer snapshot comes first: the last
   * customer id sent ("" before the first), and txId is the log's horizon
   * when the snapshot began. Null once the snapshot is done.
   */
  snapshotAfter: string | null;
}

const PREFIX = "o1.";

const payloadSchema = z.strictObject({
  c: z.string().min(1).max(200),
  r: z.number().int().min(0),
  t: z.string().regex(/^[0-9]{1,20}$/),
  e: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  a: z.string().max(64).optional(),
});

/** The cursor text of `position`. */
export function encodeCursor(position: FeedPosition): string {
  const payload: z.input<typeof payloadSchema> = {
    c: position.caller,
    r: position.revision,
    t: position.txId,
    e: position.eventId,
    ...(position.snapshotAfter === null ? {} : { a: position.snapshotAfter }),
  };
  const bytes = new TextEncoder().encode(JSON.stringify(payload));
  const base64 = btoa(String.fromCharCode(...bytes));
  return PREFIX + base64.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/**
 * The position `text` names, for `caller`. Throws VALIDATION_FAILED (path
 * `cursor`) for text this feed did not issue, and for another caller's
 * cursor: each caller's feed holds other customers, so resuming from another
 * caller's place would skip or repeat changes.
 */
export function decodeCursor(text: string, caller: string): FeedPosition {
  const payload = payloadOf(text);
  if (!payload) {
    throw badCursor(
      "is not a cursor of this feed: send the `cursor` of a previous answer unchanged, or none " +
        "to sync from the start",
    );
  }
  if (payload.c !== caller) {
    throw badCursor(
      "was issued to another caller: each caller (API token) keeps its own cursor; sync without " +
        "one to start this caller's feed",
    );
  }
  return {
    caller: payload.c,
    revision: payload.r,
    txId: payload.t,
    eventId: payload.e,
    snapshotAfter: payload.a ?? null,
  };
}

/** The error for a cursor that cannot be used, saying why. */
export function badCursor(why: string): EngineError {
  return new EngineError("VALIDATION_FAILED", `The cursor ${why}`, {
    issues: [{ path: "cursor", message: why }],
  });
}

function payloadOf(text: string): z.output<typeof payloadSchema> | null {
  if (!text.startsWith(PREFIX)) return null;
  const body = text.slice(PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) return null;
  let json: unknown;
  try {
    const binary = atob(body.replaceAll("-", "+").replaceAll("_", "/"));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    return null;
  }
  const parsed = payloadSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}
