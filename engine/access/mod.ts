/**
 * Access: roles and permissions (from the seed), API tokens (hashed, expiring,
 * revocable), verification with a short cache, per-token rate limits, console
 * users with hashed passwords, sessions and lockout, and the start-up
 * guarantee that an admin token (and, when asked, an admin user) exists.
 *
 * @example
 * ```ts
 * const { token } = await createToken(db, { name: "ci", role: "success-analyst" }, { actor: "system", now });
 * const actor = await verifier.verify(token); // { id: "token:1 (ci)", role: "success-analyst", … }
 * roleAllows(actor.role, "read:metrics"); // true
 * ```
 */
export { type Actor, systemActor, tokenActor, userActor } from "./actor.ts";
export {
  type AdminAccess,
  type AdminUser,
  ensureAdminAccess,
  ensureAdminUser,
  FIRST_ADMIN_EMAIL,
} from "./bootstrap.ts";
export { PASSWORD_MIN_LENGTH, passwordProblem } from "./passwords.ts";
export {
  endSession,
  findSession,
  keepDraft,
  randomId,
  type Session,
  type SessionDraft,
  type SessionPolicy,
  signIn,
  type SignInResult,
} from "./sessions.ts";
export {
  changeUser,
  createUser,
  findUserByEmail,
  getUser,
  listUsers,
  type NewUser,
  newUserSchema,
  parseNewUser,
  type UserChange,
  type UserInfo,
} from "./users.ts";
export { type RateDecision, RateLimiter } from "./rate_limit.ts";
export {
  isRole,
  type Permission,
  permissions,
  type Role,
  roleAllows,
  rolePermissions,
  roles,
} from "./roles.ts";
export {
  type ChangeContext,
  createToken,
  generateTokenSecret,
  getToken,
  listTokens,
  revokeToken,
  type TokenInfo,
} from "./tokens.ts";
export { TokenVerifier } from "./verifier.ts";
