/** privacy_requests: creating, reading and moving requests through their statuses. */
import { DAY_MS } from "../clock.ts";
import { PgCode, pgErrorCode, type Queryable } from "../db/mod.ts";
import { EngineError } from "../errors.ts";
import { personDigest } from "./tombstone_digest.ts";

/** The three requests of the seed. */
export const privacyRequestTypes = ["access", "deletion", "portability"] as const;
export type PrivacyRequestType = typeof privacyRequestTypes[number];

/** Where a request is. */
export const privacyRequestStatuses = [
  "pending",
  "processing",
  "completed",
  "failed",
  "rejected",
] as const;
export type PrivacyRequestStatus = typeof privacyRequestStatuses[number];

/** Days the engine has to answer (the GDPR's month). */
export const PRIVACY_DUE_DAYS = 30;
/** Days a completed access or portability export can be downloaded. */
export const PRIVACY_EXPORT_DAYS = 7;

/** A request as the API shows it. */
export interface PrivacyRequest {
  id: number;
  type: PrivacyRequestType;
  status: PrivacyRequestStatus;
  /** Null once the customer was erased: only the digest stays. */
  customerId: string | null;
  customerDigest: string;
  requestedBy: string;
  requestedAt: string;
  dueAt: string;
  overdue: boolean;
  startedAt: string | null;
  completedAt: string | null;
  expiresAt: string | null;
  attempts: number;
  note: string | null;
  result: Record<string, unknown> | null;
}

/** A privacy_requests row. */
export interface RequestRow {
  id: string | number;
  type: PrivacyRequestType;
  status: PrivacyRequestStatus;
  customer_id: string | null;
  customer_digest: string;
  requested_by: string;
  requested_at: Date;
  due_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
  expires_at: Date | null;
  attempts: number;
  note: string | null;
  result: Record<string, unknown> | null;
}

/**
 * Records a pending request due in 30 days. Throws PRIVACY_REQUEST_DUPLICATE,
 * naming the open one, when the customer has a pending or processing request
 * of the same type.
 */
export async function createPrivacyRequest(
  db: Queryable,
  request: { type: PrivacyRequestType; customerId: string; requestedBy: string; now: Date },
): Promise<PrivacyRequest> {
  const digest = await personDigest("customer_id", request.customerId);
  const [open] = await db.query<RequestRow>(
    `select * from privacy_requests where customer_digest = $1 and type = $2
       and status in ('pending', 'processing')`,
    [digest, request.type],
  );
  if (open) {
    throw duplicate(request, `${request.type} request ${open.id} (${open.status})`, open.id);
  }
  try {
    const [row] = await db.query<RequestRow>(
      `insert into privacy_requests (type, status, customer_id, customer_digest, requested_by,
         requested_at, due_at)
       values ($1, 'pending', $2, $3, $4, $5, $6) returning *`,
      [
        request.type,
        request.customerId,
        digest,
        request.requestedBy,
        request.now,
        new Date(request.now.getTime() + PRIVACY_DUE_DAYS * DAY_MS),
      ],
    );
    return toRequest(row!, request.now);
  } catch (error) {
    // The unique index: the same request was made a moment ago, by another call.
    if (pgErrorCode(error) !== PgCode.UNIQUE_VIOLATION) throw error;
    throw duplicate(request, `a ${request.type} request made a moment ago`, null, error);
  }
}

function duplicate(
  request: { type: PrivacyRequestType; customerId: string },
  existing: string,
  id: string | number | null,
  cause?: unknown,
): EngineError {
  return new EngineError(
    "PRIVACY_REQUEST_DUPLICATE",
    `Customer "${request.customerId}" already has ${existing}; follow it with ` +
      `GET /api/privacy/requests/${id ?? "{id}"} instead of asking again`,
    cause === undefined ? {} : { cause },
  );
}

/** One request, or PRIVACY_REQUEST_NOT_FOUND. */
export async function getPrivacyRequest(
  db: Queryable,
  id: number,
  now: Date,
): Promise<PrivacyRequest> {
  const [row] = await db.query<RequestRow>("select * from privacy_requests where id = $1", [id]);
  if (!row) {
    throw new EngineError(
      "PRIVACY_REQUEST_NOT_FOUND",
      `No privacy request ${id}; list them with GET /api/privacy/requests`,
    );
  }
  return toRequest(row, now);
}

/** Requests newest first, optionally of one status; `cursor` is the last id of the page before. */
export async function listPrivacyRequests(
  db: Queryable,
  options: { now: Date; status?: PrivacyRequestStatus; limit: number; cursor?: number },
): Promise<{ items: PrivacyRequest[]; nextCursor: number | null }> {
  const rows = await db.query<RequestRow>(
    `select * from privacy_requests
     where ($1::text is null or status = $1) and ($2::bigint is null or id < $2)
     order by id desc limit $3`,
    [options.status ?? null, options.cursor ?? null, options.limit + 1],
  );
  const items = rows.slice(0, options.limit).map((r) => toRequest(r, options.now));
  return {
    items,
    nextCursor: rows.length > options.limit ? items.at(-1)!.id : null,
  };
}

/** Open requests past their due date, and the oldest one's due date. */
export async function overduePrivacyRequests(
  db: Queryable,
  now: Date,
): Promise<{ count: number; oldestDueAt: Date | null }> {
  const [row] = await db.query<{ count: number; oldest: Date | null }>(
    `select count(*)::int as count, min(due_at) as oldest from privacy_requests
     where status in ('pending', 'processing') and due_at < $1`,
    [now],
  );
  return { count: row?.count ?? 0, oldestDueAt: row?.oldest ? new Date(row.oldest) : null };
}

/** The request as the API shows it. */
export function toRequest(row: RequestRow, now: Date): PrivacyRequest {
  const open = row.status === "pending" || row.status === "processing";
  const iso = (d: Date | null) => d === null ? null : new Date(d).toISOString();
  return {
    id: Number(row.id),
    type: row.type,
    status: row.status,
    customerId: row.customer_id,
    customerDigest: row.customer_digest,
    requestedBy: row.requested_by,
    requestedAt: new Date(row.requested_at).toISOString(),
    dueAt: new Date(row.due_at).toISOString(),
    overdue: open && new Date(row.due_at).getTime() < now.getTime(),
    startedAt: iso(row.started_at),
    completedAt: iso(row.completed_at),
    expiresAt: iso(row.expires_at),
    attempts: row.attempts,
    note: row.note,
    result: row.result,
  };
}
