/**
 * Console sign-in and sessions. A session is a random 256-bit id in an
 * HttpOnly cookie; the database keeps only its SHA-256, with the user, a CSRF
 * token for the session's forms, and two ends: idle (no page for
 * `idleMinutes`) and absolute (`maxHours` after sign-in). Repeated failed
 * sign-ins lock the account for a while; failures, lockouts and sign-ins
 * are audit entries.
 */
import type { Db, Queryable } from "../db/mod.ts";
import { sha256Hex } from "../hash.ts";
import { verifyNoPassword, verifyPassword } from "./passwords.ts";
import { audit, COLUMNS, infoOf, type UserInfo, type UserRow } from "./users.ts";

/** How long sessions last and when failures lock an account. */
export interface SessionPolicy {
  idleMinutes: number;
  maxHours: number;
  lockoutAttempts: number;
  lockoutMinutes: number;
}

/** The outcome of a sign-in. */
export type SignInResult =
  | { kind: "signed-in"; sessionId: string; user: UserInfo }
  | { kind: "wrong" }
  | { kind: "locked"; until: Date }
  | { kind: "disabled" };

/** Checks `email` and `password`; on success opens a session (see the module comment). */
export async function signIn(
  db: Db,
  credentials: { email: string; password: string },
  policy: SessionPolicy,
  context: { now: Date; requestId?: string | null },
): Promise<SignInResult> {
  const { now } = context;
  const [row] = await db.query<UserRow & { password_hash: string }>(
    `select ${COLUMNS}, password_hash from users where lower(email) = lower($1)`,
    [credentials.email.trim()],
  );
  const change = { now, requestId: context.requestId ?? null };
  if (!row) {
    await verifyNoPassword(credentials.password);
    // Audited under the address tried: a run of guesses shows in the log.
    await db.transaction((tx) =>
      audit(tx, "user.sign_in_failed", "unknown", { ...change, actor: "anonymous" }, {
        after: { email: credentials.email.trim().slice(0, 254), reason: "no such user" },
      })
    );
    return { kind: "wrong" };
  }
  const user = infoOf(row);
  const actor = `user:${user.id} (${user.email})`;
  // A locked account is not even checked, so guessing during the lock gains nothing.
  if (row.locked_until && row.locked_until.getTime() > now.getTime()) {
    return { kind: "locked", until: row.locked_until };
  }
  if (!await verifyPassword(credentials.password, row.password_hash)) {
    return await recordFailure(db, user, policy, { ...change, actor });
  }
  if (user.disabled) return { kind: "disabled" };
  const sessionId = randomId();
  const signedIn = await db.transaction(async (tx) => {
    const [updated] = await tx.query<UserRow>(
      `update users set failed_attempts = 0, locked_until = null, last_sign_in_at = $2
       where id = $1 returning ${COLUMNS}`,
      [user.id, now],
    );
    await tx.query(
      `insert into user_sessions (id_hash, user_id, csrf_token, created_at, last_seen_at,
         expires_at)
       values ($1, $2, $3, $4, $4, $4::timestamptz + make_interval(hours => $5))`,
      [await sha256Hex(sessionId), user.id, randomId(), now, policy.maxHours],
    );
    // Sessions left to expire (tabs closed without signing out) go at the next sign-in.
    await tx.query(
      `delete from user_sessions where expires_at <= $1
         or last_seen_at <= $1::timestamptz - make_interval(mins => $2)`,
      [now, policy.idleMinutes],
    );
    await audit(tx, "user.signed_in", user.id, { ...change, actor }, {});
    return infoOf(updated!);
  });
  return { kind: "signed-in", sessionId, user: signedIn };
}

async function recordFailure(
  db: Db,
  user: UserInfo,
  policy: SessionPolicy,
  change: { now: Date; actor: string; requestId: string | null },
): Promise<SignInResult> {
  const lockUntil = new Date(change.now.getTime() + policy.lockoutMinutes * 60_000);
  return await db.transaction(async (tx) => {
    // One statement, so concurrent failures each count and exactly one of them locks.
    const [counted] = await tx.query<{ failed_attempts: number; locked_until: Date | null }>(
      `update users set
         failed_attempts = case when failed_attempts + 1 >= $2 then 0 else failed_attempts + 1 end,
         locked_until = case when failed_attempts + 1 >= $2 then $3 else locked_until end
       where id = $1 returning failed_attempts, locked_until`,
      [user.id, policy.lockoutAttempts, lockUntil],
    );
    const locked = counted?.locked_until?.getTime() === lockUntil.getTime();
    await audit(tx, "user.sign_in_failed", user.id, change, {
      after: { email: user.email, reason: "wrong password" },
    });
    if (!locked) return { kind: "wrong" } as const;
    await audit(tx, "user.locked", user.id, change, {
      after: { lockedUntil: lockUntil.toISOString(), failedAttempts: policy.lockoutAttempts },
    });
    return { kind: "locked", until: lockUntil } as const;
  });
}

/** A signed-in session as a page sees it. */
export interface Session {
  user: UserInfo;
  csrfToken: string;
  /** A form's fields kept when its session expired, offered once after sign-in. */
  draft: SessionDraft | null;
}

/** What a form held, and the page it belongs to. */
export interface SessionDraft {
  page: string;
  fields: Record<string, string>;
}

/**
 * The live session of `sessionId`, or null when there is none or it ended
 * (idle or absolute expiry, or its user disabled); ended rows are removed.
 */
export async function findSession(
  db: Queryable,
  sessionId: string,
  policy: SessionPolicy,
  now: Date,
): Promise<Session | null> {
  const idHash = await sha256Hex(sessionId);
  const [row] = await db.query<
    UserRow & {
      csrf_token: string;
      last_seen_at: Date;
      expires_at: Date;
      draft: SessionDraft | null;
    }
  >(
    `select ${prefixed("u.")}, s.csrf_token, s.last_seen_at, s.expires_at, s.draft
     from user_sessions s join users u on u.id = s.user_id where s.id_hash = $1`,
    [idHash],
  );
  if (!row) return null;
  const idleEnd = row.last_seen_at.getTime() + policy.idleMinutes * 60_000;
  if (row.disabled || now.getTime() >= idleEnd || now.getTime() >= row.expires_at.getTime()) {
    await db.query("delete from user_sessions where id_hash = $1", [idHash]);
    return null;
  }
  // At most one write a minute per session: a busy page costs a read, not a write.
  if (now.getTime() - row.last_seen_at.getTime() >= 60_000) {
    await db.query("update user_sessions set last_seen_at = $2 where id_hash = $1", [idHash, now]);
  }
  return { user: infoOf(row), csrfToken: row.csrf_token, draft: row.draft };
}

/** Ends the session (sign-out); ending it again is harmless. */
export async function endSession(db: Queryable, sessionId: string): Promise<void> {
  await db.query("delete from user_sessions where id_hash = $1", [await sha256Hex(sessionId)]);
}

/** Keeps `draft` in the session until the page takes it (null forgets it). */
export async function keepDraft(
  db: Queryable,
  sessionId: string,
  draft: SessionDraft | null,
): Promise<void> {
  await db.query("update user_sessions set draft = $2 where id_hash = $1", [
    await sha256Hex(sessionId),
    draft,
  ]);
}

function prefixed(prefix: string): string {
  return COLUMNS.split(",").map((column) => `${prefix}${column.trim()}`).join(", ");
}

/** 256 random bits, base64url: a session id or a CSRF token. */
export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}
