/**
 * The tamper-evident audit log: every change an actor makes is appended with
 * a hash over the entry and the previous entry's hash. The database refuses
 * updates and deletes (a trigger); the chain shows any change made around
 * that (e.g. by a superuser), from the first broken entry on.
 */
import type { Queryable } from "../db/mod.ts";
import { canonicalJson, sha256Hex } from "../hash.ts";

/** What a change records. */
export interface AuditInput {
  at: Date;
  /** Who: `token:12 (ci-bot)`, `local:cli`, `system`, … */
  actor: string;
  /** What, as `<subject>.<verb>`: `token.created`, `rule.published`, … */
  action: string;
  subjectType: string;
  subjectId: string;
  reason?: string | null;
  before?: unknown;
  after?: unknown;
  requestId?: string | null;
}

/** An entry as stored. */
export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  reason: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
  prevHash: string;
  hash: string;
}

const GENESIS = "0".repeat(64);
// One appender at a time across every engine on the database, so the chain is a line.
const AUDIT_LOCK = 7_301_001;

/** Appends `input` to the chain; call it inside the transaction of the change. */
export async function appendAudit(tx: Queryable, input: AuditInput): Promise<void> {
  await tx.query("select pg_advisory_xact_lock($1)", [AUDIT_LOCK]);
  const [last] = await tx.query<{ hash: string }>(
    "select hash from audit_log order by id desc limit 1",
  );
  const prevHash = last?.hash ?? GENESIS;
  const fields: HashedFields = {
    at: input.at.toISOString(),
    actor: input.actor,
    action: input.action,
    subjectType: input.subjectType,
    subjectId: input.subjectId,
    reason: input.reason ?? null,
    before: input.before ?? null,
    after: input.after ?? null,
    requestId: input.requestId ?? null,
  };
  const hash = await sha256Hex(`${prevHash}\n${canonicalJson(fields)}`);
  await tx.query(
    `insert into audit_log
       (at, actor, action, subject_type, subject_id, reason, before, after, request_id,
        prev_hash, hash)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      input.at,
      fields.actor,
      fields.action,
      fields.subjectType,
      fields.subjectId,
      fields.reason,
      fields.before,
      fields.after,
      fields.requestId,
      prevHash,
      hash,
    ],
  );
}

/** What the hash covers: everything but the id and the hashes themselves. */
type HashedFields = Omit<AuditEntry, "id" | "prevHash" | "hash">;

/**
 * Entries newest first, after `cursor` (an entry id), optionally for one
 * subject, actor or action, and from `since` (inclusive) to `until` (exclusive).
 */
export async function listAudit(
  db: Queryable,
  options: {
    limit: number;
    cursor?: number;
    subjectType?: string;
    subjectId?: string;
    actor?: string;
    action?: string;
    since?: Date;
    until?: Date;
  },
): Promise<{ entries: AuditEntry[]; nextCursor: number | null }> {
  const rows = await db.query<AuditRow>(
    `select ${COLUMNS} from audit_log
     where ($1::bigint is null or id < $1)
       and ($2::text is null or subject_type = $2)
       and ($3::text is null or subject_id = $3)
       and ($4::text is null or actor = $4)
       and ($5::text is null or action = $5)
       and ($7::timestamptz is null or at >= $7)
       and ($8::timestamptz is null or at < $8)
     order by id desc limit $6`,
    [
      options.cursor ?? null,
      options.subjectType ?? null,
      options.subjectId ?? null,
      options.actor ?? null,
      options.action ?? null,
      options.limit + 1,
      options.since ?? null,
      options.until ?? null,
    ],
  );
  const entries = rows.slice(0, options.limit).map(entryOf);
  return {
    entries,
    nextCursor: rows.length > options.limit ? entries.at(-1)!.id : null,
  };
}

/** The result of checking the chain. */
export interface ChainCheck {
  valid: boolean;
  entries: number;
  /** The first entry whose hash or link does not hold, or null. */
  firstBrokenId: number | null;
  lastHash: string | null;
}

/** Recomputes every hash in order; reads in pages so a long log never sits in memory. */
export async function verifyAuditChain(db: Queryable): Promise<ChainCheck> {
  let prevHash = GENESIS;
  let afterId = 0;
  let entries = 0;
  while (true) {
    const rows = await db.query<AuditRow>(
      `select ${COLUMNS} from audit_log where id > $1 order by id limit 1000`,
      [afterId],
    );
    if (rows.length === 0) break;
    for (const row of rows) {
      const entry = entryOf(row);
      const { id: _id, prevHash: linked, hash, ...fields } = entry;
      const expected = await sha256Hex(`${prevHash}\n${canonicalJson(fields)}`);
      if (linked !== prevHash || hash !== expected) {
        return { valid: false, entries, firstBrokenId: entry.id, lastHash: prevHash };
      }
      prevHash = hash;
      entries++;
      afterId = entry.id;
    }
  }
  return { valid: true, entries, firstBrokenId: null, lastHash: entries ? prevHash : null };
}

const COLUMNS = `id, at, actor, action, subject_type, subject_id, reason, before, after,
  request_id, prev_hash, hash`;

interface AuditRow {
  id: number;
  at: Date;
  actor: string;
  action: string;
  subject_type: string;
  subject_id: string;
  reason: string | null;
  before: unknown;
  after: unknown;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}

function entryOf(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actor: row.actor,
    action: row.action,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    reason: row.reason,
    before: row.before,
    after: row.after,
    requestId: row.request_id,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
