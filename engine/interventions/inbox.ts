/**
 * The in-app inbox: messages the in-app channel delivers, stored per customer
 * for the product to show, and marked read when a user has seen them. The
 * storage lives in the engine because plugins may not own tables; the
 * in-app plugin reaches it through its PluginContext.
 */
import { PgCode, pgErrorCode, type Queryable } from "../db/mod.ts";
import { EngineError } from "../errors.ts";
import { openText, sealText } from "../privacy/mod.ts";
import { customerNotFound } from "../signals/mod.ts";

/**
 * What the inbox keeps of a rendered message. An OutgoingMessage has this
 * shape, so the channel hands its message over as it is.
 */
export interface InboxDelivery {
  interventionId: string;
  dedupKey: string;
  customer: { id: string };
  subject: string | null;
  /** The markdown body. */
  text: string;
  test: boolean;
}

/** A message in a customer's inbox. */
export interface InboxMessage {
  id: number;
  customerId: string;
  /** The user it is for; null: everyone on the customer's account. */
  userId: string | null;
  interventionId: string;
  subject: string | null;
  /** Markdown. */
  body: string;
  test: boolean;
  createdAt: string;
  readAt: string | null;
}

interface InboxRow {
  id: number;
  customer_id: string;
  user_id: string | null;
  intervention_id: string;
  subject: string | null;
  body: string;
  test: boolean;
  created_at: Date;
  read_at: Date | null;
}

const COLUMNS =
  "id, customer_id, user_id, intervention_id, subject, body, test, created_at, read_at";

/** Field names bound into the encrypted subject and body (keys:rotate uses the same). */
export const INBOX_FIELDS = { subject: "in_app_messages.subject", body: "in_app_messages.body" };

/**
 * Stores `message` in its customer's inbox once: a second delivery with the
 * same dedup key stores nothing. Returns the message's id either way; throws
 * CUSTOMER_NOT_FOUND when the customer does not exist.
 */
export async function deliverToInbox(
  db: Queryable,
  message: InboxDelivery,
  options: { now?: Date } = {},
): Promise<{ id: number }> {
  let inserted: { id: number }[];
  // Rendered with the customer's name and data: free text, stored encrypted.
  const [subject, body] = await Promise.all([
    sealText("text", INBOX_FIELDS.subject, message.subject),
    sealText("text", INBOX_FIELDS.body, message.text),
  ]);
  try {
    inserted = await db.query<{ id: number }>(
      `insert into in_app_messages
         (customer_id, intervention_id, dedup_key, subject, body, test, created_at)
       values ($1, $2, $3, $4, $5, $6, coalesce($7::timestamptz, now()))
       on conflict (dedup_key) do nothing
       returning id`,
      [
        message.customer.id,
        message.interventionId,
        message.dedupKey,
        subject,
        body,
        message.test,
        options.now ?? null,
      ],
    );
  } catch (error) {
    if (pgErrorCode(error) === PgCode.FOREIGN_KEY_VIOLATION) {
      throw customerNotFound(message.customer.id);
    }
    throw error;
  }
  if (inserted[0]) return { id: Number(inserted[0].id) };
  // Delivered before (a retry): the statement above could not see that row if
  // it committed meanwhile, this one, with its own snapshot, does.
  const existing = await db.query<{ id: number }>(
    "select id from in_app_messages where dedup_key = $1",
    [message.dedupKey],
  );
  if (!existing[0]) {
    throw new EngineError("INTERNAL", "An inbox message was neither stored nor found");
  }
  return { id: Number(existing[0].id) };
}

/** A customer's inbox, newest first, after `cursor` (a message id). */
export async function listInbox(
  db: Queryable,
  customerId: string,
  options: { limit: number; cursor?: number | undefined; unreadOnly?: boolean | undefined },
): Promise<{ items: InboxMessage[]; nextCursor: string | null }> {
  const rows = await db.query<InboxRow>(
    `select ${COLUMNS} from in_app_messages
     where customer_id = $1 and ($2::bigint is null or id < $2)
       and (not $3::boolean or read_at is null)
     order by id desc limit $4`,
    [customerId, options.cursor ?? null, options.unreadOnly ?? false, options.limit + 1],
  );
  const items = await Promise.all(rows.slice(0, options.limit).map(toInboxMessage));
  const last = items.at(-1);
  return { items, nextCursor: rows.length > options.limit && last ? String(last.id) : null };
}

/**
 * Marks a message of the customer's inbox read at `now`; reading it again
 * keeps the first time. Throws INBOX_MESSAGE_NOT_FOUND when the customer has
 * no such message.
 */
export async function markInboxRead(
  db: Queryable,
  customerId: string,
  messageId: number,
  now: Date,
): Promise<InboxMessage> {
  const rows = await db.query<InboxRow>(
    `update in_app_messages set read_at = coalesce(read_at, $3)
     where customer_id = $1 and id = $2
     returning ${COLUMNS}`,
    [customerId, messageId, now],
  );
  const row = rows[0];
  if (!row) {
    throw new EngineError(
      "INBOX_MESSAGE_NOT_FOUND",
      `Customer "${customerId}" has no inbox message ${messageId}: ` +
        `list the inbox with GET /api/v1/customers/${customerId}/inbox`,
    );
  }
  return await toInboxMessage(row);
}

async function toInboxMessage(row: InboxRow): Promise<InboxMessage> {
  const [subject, body] = await Promise.all([
    openText(INBOX_FIELDS.subject, row.subject),
    openText(INBOX_FIELDS.body, row.body),
  ]);
  return {
    id: Number(row.id),
    customerId: row.customer_id,
    userId: row.user_id,
    interventionId: row.intervention_id,
    subject,
    body,
    test: row.test,
    createdAt: row.created_at.toISOString(),
    readAt: row.read_at === null ? null : row.read_at.toISOString(),
  };
}
