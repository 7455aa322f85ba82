/**
 * Console users: people who sign in with an email and a password, holding one
 * of the roles API tokens have. Every change to a user is an audit entry;
 * the password hash never leaves this module or reaches the audit log.
 */
import { z } from "zod";
import { appendAudit } from "../audit/mod.ts";
import { type Db, PgCode, pgErrorCode, type Queryable } from "../db/mod.ts";
import { EngineError } from "../errors.ts";
import { zodIssues } from "../validation.ts";
import { hashPassword, passwordProblem } from "./passwords.ts";
import { roles } from "./roles.ts";
import type { Role } from "./roles.ts";
import type { ChangeContext } from "./tokens.ts";

/** A user as pages and commands show them: never the password hash. */
export interface UserInfo {
  id: number;
  email: string;
  displayName: string;
  role: Role;
  disabled: boolean;
  /** Until when sign-in is refused after repeated failures; null when not locked. */
  lockedUntil: string | null;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  lastSignInAt: string | null;
}

const password = z.string().superRefine((value, ctx) => {
  const problem = passwordProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** What creating a user needs; the console form and `user:create` both parse with it. */
export const newUserSchema = z.object({
  email: z.string().trim().toLowerCase().max(254, "must be at most 254 characters")
    .regex(/^[^\s@]+@[^\s@]+$/, "must be an email address, e.g. ana@example.com"),
  displayName: z.string().trim().min(1, "must not be empty").max(
    100,
    "must be at most 100 characters",
  ),
  role: z.enum(roles, { error: `must be one of ${roles.join(", ")}` }),
  password,
});

/** A new user, as parsed. */
export type NewUser = z.output<typeof newUserSchema>;

/** Parses `input` into a NewUser, or throws VALIDATION_FAILED with one issue per field. */
export function parseNewUser(input: unknown): NewUser {
  const result = newUserSchema.safeParse(input);
  if (result.success) return result.data;
  const issues = zodIssues(result.error);
  throw new EngineError(
    "VALIDATION_FAILED",
    `The user is not valid: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
    { issues },
  );
}

/** Creates a user; USER_EXISTS when another user has the email (in any case). */
export async function createUser(
  db: Db,
  spec: NewUser,
  change: ChangeContext,
): Promise<UserInfo> {
  const hash = await hashPassword(spec.password);
  try {
    return await db.transaction(async (tx) => {
      const [row] = await tx.query<UserRow>(
        `insert into users (email, display_name, role, password_hash, created_at, created_by,
           updated_at)
         values ($1, $2, $3, $4, $5, $6, $5) returning ${COLUMNS}`,
        [spec.email, spec.displayName, spec.role, hash, change.now, change.actor],
      );
      const info = infoOf(row!);
      await audit(tx, "user.created", info.id, change, { after: auditView(info) });
      return info;
    });
  } catch (error) {
    if (pgErrorCode(error) !== PgCode.UNIQUE_VIOLATION) throw error;
    throw new EngineError("USER_EXISTS", `A user with the email ${spec.email} exists already`, {
      issues: [{ path: "email", message: "another user has this email" }],
    });
  }
}

/** Every user, by email. */
export async function listUsers(db: Queryable): Promise<UserInfo[]> {
  const rows = await db.query<UserRow>(`select ${COLUMNS} from users order by lower(email)`);
  return rows.map(infoOf);
}

/** One user by id; USER_NOT_FOUND if there is none. */
export async function getUser(db: Queryable, id: number): Promise<UserInfo> {
  const [row] = await db.query<UserRow>(`select ${COLUMNS} from users where id = $1`, [id]);
  if (!row) throw userNotFound(id);
  return infoOf(row);
}

/** The user with `email` (any case), or null. */
export async function findUserByEmail(db: Queryable, email: string): Promise<UserInfo | null> {
  const [row] = await db.query<UserRow>(
    `select ${COLUMNS} from users where lower(email) = lower($1)`,
    [email.trim()],
  );
  return row ? infoOf(row) : null;
}

/** A change an admin makes to a user. */
export type UserChange =
  | { kind: "role"; role: Role }
  | { kind: "disable" }
  | { kind: "enable" }
  | { kind: "unlock" };

const actions: Record<UserChange["kind"], string> = {
  role: "user.role_changed",
  disable: "user.disabled",
  enable: "user.enabled",
  unlock: "user.unlocked",
};

/**
 * Applies `userChange` to user `id` and audits it. Disabling ends the user's
 * sessions at once; a role change applies from their next page.
 */
export async function changeUser(
  db: Db,
  id: number,
  userChange: UserChange,
  change: ChangeContext,
): Promise<UserInfo> {
  return await db.transaction(async (tx) => {
    const [before] = await tx.query<UserRow>(
      `select ${COLUMNS} from users where id = $1 for update`,
      [id],
    );
    if (!before) throw userNotFound(id);
    const set = {
      role: "role = $3",
      disable: "disabled = true",
      enable: "disabled = false",
      unlock: "locked_until = null, failed_attempts = 0",
    }[userChange.kind];
    const [after] = await tx.query<UserRow>(
      `update users set ${set}, updated_at = $2 where id = $1 returning ${COLUMNS}`,
      userChange.kind === "role" ? [id, change.now, userChange.role] : [id, change.now],
    );
    if (userChange.kind === "disable") {
      await tx.query("delete from user_sessions where user_id = $1", [id]);
    }
    const info = infoOf(after!);
    await audit(tx, actions[userChange.kind], id, change, {
      before: auditView(infoOf(before)),
      after: auditView(info),
    });
    return info;
  });
}

/** Appends a `user.*` audit entry about user `id`. */
export async function audit(
  tx: Queryable,
  action: string,
  id: number | string,
  change: ChangeContext,
  values: { before?: unknown; after?: unknown; reason?: string },
): Promise<void> {
  await appendAudit(tx, {
    at: change.now,
    actor: change.actor,
    action,
    subjectType: "user",
    subjectId: String(id),
    requestId: change.requestId ?? null,
    ...values,
  });
}

function userNotFound(id: number): EngineError {
  return new EngineError("USER_NOT_FOUND", `No user has id ${id}; the Users page lists them`);
}

/** What the audit log keeps of a user: who they are and what they may do, no times of use. */
export function auditView(info: UserInfo): Record<string, unknown> {
  return {
    email: info.email,
    displayName: info.displayName,
    role: info.role,
    disabled: info.disabled,
    lockedUntil: info.lockedUntil,
  };
}

/** The columns every read selects (never password_hash). */
export const COLUMNS = `id, email, display_name, role, disabled, locked_until, created_at,
  created_by, updated_at, last_sign_in_at`;

/** A row of `COLUMNS`. */
export interface UserRow {
  id: number;
  email: string;
  display_name: string;
  role: Role;
  disabled: boolean;
  locked_until: Date | null;
  created_at: Date;
  created_by: string;
  updated_at: Date;
  last_sign_in_at: Date | null;
}

/** The UserInfo of a row. */
export function infoOf(row: UserRow): UserInfo {
  return {
    id: Number(row.id),
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    disabled: row.disabled,
    lockedUntil: row.locked_until?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    updatedAt: row.updated_at.toISOString(),
    lastSignInAt: row.last_sign_in_at?.toISOString() ?? null,
  };
}
