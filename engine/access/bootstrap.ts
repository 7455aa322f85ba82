/**
 * Makes sure someone can administer the engine: INIT_ADMIN_TOKEN (for
 * automation) becomes an admin token with that value; without it, a database
 * with no active admin token gets one, whose secret the engine prints once.
 * INIT_ADMIN_EMAIL and INIT_ADMIN_PASSWORD do the same for a console user,
 * and a database with no console user gets a first one, shown once.
 */
import type { Db } from "../db/mod.ts";
import type { Logger } from "../log.ts";
import { systemActor } from "./actor.ts";
import { randomId } from "./sessions.ts";
import { createToken, findTokenBySecret, hasActiveAdminToken } from "./tokens.ts";
import { createUser, findUserByEmail, parseNewUser } from "./users.ts";

/** What start-up did about admin access. */
export interface AdminAccess {
  /** The secret of an admin token made just now, to show once; null if none was made. */
  newSecret: string | null;
}

/** Ensures an admin token exists (see the module comment). */
export async function ensureAdminAccess(
  db: Db,
  options: { initAdminToken: string | undefined; now: Date; log: Logger },
): Promise<AdminAccess> {
  const change = { actor: systemActor.id, now: options.now };
  const secret = options.initAdminToken;
  if (secret !== undefined) {
    const existing = await findTokenBySecret(db, secret, options.now);
    if (!existing) {
      await createToken(db, { name: "init-admin", role: "admin", secret }, change);
      options.log.info("created the admin token of INIT_ADMIN_TOKEN");
    } else if (existing.status !== "active" || existing.role !== "admin") {
      // A revoked token stays revoked: revocation must not be undone by a restart.
      options.log.warn("INIT_ADMIN_TOKEN names a token that is not an active admin token", {
        tokenId: existing.id,
        status: existing.status,
        role: existing.role,
      });
    }
    return { newSecret: null };
  }
  if (await hasActiveAdminToken(db, options.now)) return { newSecret: null };
  const { token } = await createToken(db, { name: "first-admin", role: "admin" }, change);
  options.log.info("created a first admin token; its secret is shown once on standard output");
  return { newSecret: token };
}

/** The console user a first start makes when nobody can sign in; its password shown once. */
export const FIRST_ADMIN_EMAIL = "admin@localhost";

/** What start-up did about a console admin. */
export type AdminUser =
  | { outcome: "created" | "exists" }
  /** No user at all and no INIT_ADMIN_EMAIL: FIRST_ADMIN_EMAIL with this password, to show once. */
  | { outcome: "first"; email: string; password: string }
  /** Users exist and INIT_ADMIN_EMAIL is not set: nothing to do. */
  | { outcome: "none" };

/**
 * Makes sure someone can sign in to the console. With INIT_ADMIN_EMAIL and
 * INIT_ADMIN_PASSWORD, that admin exists; an existing user is left as it is:
 * a password changed, a role changed or an account disabled in the console
 * stays so after a restart (as a revoked INIT_ADMIN_TOKEN stays revoked).
 * Without them, a database with no console user at all gets an admin
 * FIRST_ADMIN_EMAIL with a random password the engine prints once, as it
 * does the first admin token, so a newcomer can open the console at once.
 */
export async function ensureAdminUser(
  db: Db,
  options: { email: string | undefined; password: string | undefined; now: Date; log: Logger },
): Promise<AdminUser> {
  if (options.email === undefined || options.password === undefined) {
    const [row] = await db.query<{ any: boolean }>("select exists (select 1 from users) as any");
    if (row?.any) return { outcome: "none" };
    const password = randomId().slice(0, 20);
    const spec = parseNewUser({
      email: FIRST_ADMIN_EMAIL,
      displayName: "Admin",
      role: "admin",
      password,
    });
    await createUser(db, spec, { actor: systemActor.id, now: options.now });
    options.log.info(
      "created a first console admin; its password is shown once on standard output",
      {
        email: spec.email,
      },
    );
    return { outcome: "first", email: spec.email, password };
  }
  const existing = await findUserByEmail(db, options.email);
  if (existing) {
    if (existing.role !== "admin" || existing.disabled) {
      options.log.warn("INIT_ADMIN_EMAIL names a user who is not an active admin", {
        userId: existing.id,
        role: existing.role,
        disabled: existing.disabled,
      });
    }
    return { outcome: "exists" };
  }
  const spec = parseNewUser({
    email: options.email,
    displayName: options.email.split("@")[0],
    role: "admin",
    password: options.password,
  });
  await createUser(db, spec, { actor: systemActor.id, now: options.now });
  options.log.info("created the admin user of INIT_ADMIN_EMAIL", { email: spec.email });
  return { outcome: "created" };
}
