/**
 * API tokens: created with a role, shown once, stored as a SHA-256 hash, able
 * to expire and be revoked, with their last use recorded. Creating and
 * revoking a token are audit entries.
 */
import { appendAudit } from "../audit/mod.ts";
import type { Db, Queryable } from "../db/mod.ts";
import { EngineError } from "../errors.ts";
import { sha256Hex } from "../hash.ts";
import type { Role } from "./roles.ts";

/** A token as the API shows it: never the secret, never its hash. */
export interface TokenInfo {
  id: number;
  name: string;
  role: Role;
  /** The token's first characters, to tell tokens apart. */
  prefix: string;
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
  lastUsedAt: string | null;
  status: "active" | "expired" | "revoked";
}

/** Who made a change, for the audit log and the token's `createdBy`. */
export interface ChangeContext {
  actor: string;
  now: Date;
  requestId?: string | null;
}

const PREFIX = "cse_";
const PREFIX_SHOWN = 12;

/** A new secret: `cse_` and 256 random bits in base64url. */
export function generateTokenSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const base64 = btoa(String.fromCharCode(...bytes));
  return PREFIX + base64.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** How a token is looked up: the hex SHA-256 of the secret. */
export function hashTokenSecret(secret: string): Promise<string> {
  return sha256Hex(secret);
}

/** Creates a token; returns its secret (shown once) and what is stored. */
export async function createToken(
  db: Db,
  spec: { name: string; role: Role; expiresAt?: Date | null; secret?: string },
  change: ChangeContext,
): Promise<{ token: string; info: TokenInfo }> {
  if (spec.expiresAt && spec.expiresAt.getTime() <= change.now.getTime()) {
    throw new EngineError("VALIDATION_FAILED", "expiresAt must be in the future", {
      issues: [{ path: "expiresAt", message: "must be in the future" }],
    });
  }
  const token = spec.secret ?? generateTokenSecret();
  const hash = await hashTokenSecret(token);
  const info = await db.transaction(async (tx) => {
    const [row] = await tx.query<TokenRow>(
      `insert into api_tokens (name, role, token_hash, token_prefix, created_at, created_by,
         expires_at)
       values ($1, $2, $3, $4, $5, $6, $7) returning ${COLUMNS}`,
      [
        spec.name,
        spec.role,
        hash,
        token.slice(0, PREFIX_SHOWN),
        change.now,
        change.actor,
        spec.expiresAt ?? null,
      ],
    );
    const info = infoOf(row!, change.now);
    await appendAudit(tx, {
      at: change.now,
      actor: change.actor,
      action: "token.created",
      subjectType: "token",
      subjectId: String(info.id),
      after: auditView(info),
      requestId: change.requestId ?? null,
    });
    return info;
  });
  return { token, info };
}

/** Revokes token `id` (again is harmless); TOKEN_NOT_FOUND if there is none. */
export async function revokeToken(
  db: Db,
  id: number,
  change: ChangeContext,
): Promise<TokenInfo> {
  return await db.transaction(async (tx) => {
    const [before] = await tx.query<TokenRow>(
      `select ${COLUMNS} from api_tokens where id = $1 for update`,
      [id],
    );
    if (!before) throw tokenNotFound(id);
    if (before.revoked_at) return infoOf(before, change.now);
    const [after] = await tx.query<TokenRow>(
      `update api_tokens set revoked_at = $2, revoked_by = $3 where id = $1 returning ${COLUMNS}`,
      [id, change.now, change.actor],
    );
    const info = infoOf(after!, change.now);
    await appendAudit(tx, {
      at: change.now,
      actor: change.actor,
      action: "token.revoked",
      subjectType: "token",
      subjectId: String(id),
      before: auditView(infoOf(before, change.now)),
      after: auditView(info),
      requestId: change.requestId ?? null,
    });
    return info;
  });
}

/** One token by id; TOKEN_NOT_FOUND if there is none. */
export async function getToken(db: Queryable, id: number, now: Date): Promise<TokenInfo> {
  const [row] = await db.query<TokenRow>(`select ${COLUMNS} from api_tokens where id = $1`, [id]);
  if (!row) throw tokenNotFound(id);
  return infoOf(row, now);
}

/** Tokens newest first, a page at a time; `status` filters active/expired/revoked. */
export async function listTokens(
  db: Queryable,
  options: { limit: number; cursor?: number; role?: Role; status?: TokenInfo["status"] },
  now: Date,
): Promise<{ tokens: TokenInfo[]; nextCursor: number | null }> {
  const rows = await db.query<TokenRow>(
    `select ${COLUMNS} from api_tokens
     where ($1::bigint is null or id < $1)
       and ($2::text is null or role = $2)
       and ($3::text is null or $3 = case
             when revoked_at is not null then 'revoked'
             when expires_at is not null and expires_at <= $4 then 'expired'
             else 'active' end)
     order by id desc limit $5`,
    [options.cursor ?? null, options.role ?? null, options.status ?? null, now, options.limit + 1],
  );
  const tokens = rows.slice(0, options.limit).map((row) => infoOf(row, now));
  return { tokens, nextCursor: rows.length > options.limit ? tokens.at(-1)!.id : null };
}

/** The active token whose secret hashes to `hash`, or null. */
export async function findActiveToken(
  db: Queryable,
  hash: string,
  now: Date,
): Promise<TokenInfo | null> {
  const [row] = await db.query<TokenRow>(
    `select ${COLUMNS} from api_tokens
     where token_hash = $1 and revoked_at is null and (expires_at is null or expires_at > $2)`,
    [hash, now],
  );
  return row ? infoOf(row, now) : null;
}

/** Records a use of token `id`; at most one write a minute per token. */
export async function recordTokenUse(db: Queryable, id: number, now: Date): Promise<void> {
  await db.query(
    `update api_tokens set last_used_at = $2
     where id = $1 and (last_used_at is null or last_used_at < $2::timestamptz - interval '1 minute')`,
    [id, now],
  );
}

/** Whether the database holds an active admin token. */
export async function hasActiveAdminToken(db: Queryable, now: Date): Promise<boolean> {
  const [row] = await db.query<{ found: boolean }>(
    `select exists (select 1 from api_tokens where role = 'admin' and revoked_at is null
       and (expires_at is null or expires_at > $1)) as found`,
    [now],
  );
  return row?.found ?? false;
}

/** The stored token with this secret, active or not, or null. */
export async function findTokenBySecret(
  db: Queryable,
  secret: string,
  now: Date,
): Promise<TokenInfo | null> {
  const [row] = await db.query<TokenRow>(
    `select ${COLUMNS} from api_tokens where token_hash = $1`,
    [await hashTokenSecret(secret)],
  );
  return row ? infoOf(row, now) : null;
}

function tokenNotFound(id: number): EngineError {
  return new EngineError(
    "TOKEN_NOT_FOUND",
    `No token has id ${id}; list them with GET /api/v1/tokens`,
  );
}

// The audit entry keeps what identifies the token, not when it was last used.
function auditView(info: TokenInfo) {
  const { lastUsedAt: _lastUsedAt, status: _status, ...rest } = info;
  return rest;
}

const COLUMNS = `id, name, role, token_prefix, created_at, created_by, expires_at, revoked_at,
  revoked_by, last_used_at`;

interface TokenRow {
  id: number;
  name: string;
  role: Role;
  token_prefix: string;
  created_at: Date;
  created_by: string;
  expires_at: Date | null;
  revoked_at: Date | null;
  revoked_by: string | null;
  last_used_at: Date | null;
}

function infoOf(row: TokenRow, now: Date): TokenInfo {
  const status = row.revoked_at
    ? "revoked"
    : row.expires_at && row.expires_at.getTime() <= now.getTime()
    ? "expired"
    : "active";
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    prefix: row.token_prefix,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    expiresAt: row.expires_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    revokedBy: row.revoked_by,
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    status,
  };
}
