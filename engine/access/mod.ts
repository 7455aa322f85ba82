/**
 * Access: roles and permissions (from the seed), API tokens (hashed, expiring,
 * revocable), verification with a short cache, per-token rate limits, and the
 * start-up guarantee that an admin token exists.
 *
 * @example
 * ```ts
 * const { token } = await createToken(db, { name: "ci", role: "success-analyst" }, { actor: "system", now });
 * const actor = await verifier.verify(token); // { id: "token:1 (ci)", role: "success-analyst", … }
 * roleAllows(actor.role, "read:metrics"); // true
 * ```
 */
export { type Actor, systemActor, tokenActor } from "./actor.ts";
export { type AdminAccess, ensureAdminAccess } from "./bootstrap.ts";
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
