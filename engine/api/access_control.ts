/**
 * The access middleware: finds the route's entry in the access table, reads
 * the bearer token, verifies it, applies the token's rate limit and checks
 * the role. Every failure is a problem response that says what to do and
 * never which part of a bad token was wrong.
 */
import type { MiddlewareHandler } from "hono";
import {
  type RateLimiter,
  roleAllows,
  rolePermissions,
  roles,
  type TokenVerifier,
} from "../access/mod.ts";
import { EngineError } from "../errors.ts";
import type { ApiEnv } from "./deps.ts";
import type { RouteLookup } from "./route_access.ts";
import { matchedRoutes } from "hono/route";

/** The access middleware over a compiled access table. */
export function accessControl(options: {
  routes: RouteLookup;
  verifier: TokenVerifier;
  limiter: RateLimiter;
  now: () => number;
}): MiddlewareHandler<ApiEnv> {
  return async function checkAccess(c, next) {
    // The route Hono matched (middleware is "ALL"). No route here: routing answers 404 or 405,
    // and there is nothing to protect.
    const matched = matchedRoutes(c).findLast((r) => r.method !== "ALL");
    const route = matched && options.routes(c.req.method, matched.path);
    // Console pages check their own sign-in session (engine/console).
    if (!route || route.access === "public" || route.access === "console") return await next();

    const secret = bearerSecret(c.req.header("authorization"));
    const actor = secret === null ? null : await options.verifier.verify(secret);
    if (!actor) {
      throw new EngineError(
        "UNAUTHENTICATED",
        "Send a valid API token: Authorization: Bearer <token>. The token may be missing, " +
          "malformed, expired or revoked; create one with `deno task token:create` or " +
          "POST /api/v1/tokens as an admin",
        { headers: { "WWW-Authenticate": 'Bearer realm="customer-success-engine"' } },
      );
    }
    c.set("actor", actor);

    const decision = options.limiter.take(
      actor.tokenId === null ? actor.id : `t${actor.tokenId}`,
      options.now(),
    );
    c.header("RateLimit-Limit", String(options.limiter.burst));
    c.header("RateLimit-Remaining", String(decision.remaining));
    if (!decision.allowed) {
      throw new EngineError(
        "RATE_LIMITED",
        `This token made too many requests; wait ${decision.retryAfterSeconds} s ` +
          "(RATE_LIMIT_PER_MINUTE and RATE_LIMIT_BURST set the limit)",
        {
          headers: {
            "Retry-After": String(decision.retryAfterSeconds),
            "RateLimit-Limit": String(options.limiter.burst),
            "RateLimit-Remaining": "0",
          },
        },
      );
    }

    if (route.access !== "authenticated" && !roleAllows(actor.role, route.access)) {
      const allowed = roles.filter((role) => roleAllows(role, route.access as never));
      throw new EngineError(
        "FORBIDDEN",
        `${route.key} needs the permission ${route.access}; your token's role ` +
          `${actor.role} has ${rolePermissions[actor.role].join(", ")}. ` +
          `Use a token with the role ${allowed.join(" or ")}`,
      );
    }
    await next();
  };
}

function bearerSecret(header: string | undefined): string | null {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1] ?? null;
}
