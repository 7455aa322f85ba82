/**
 * The console's session guard. Every page but sign-in goes through it: no
 * live session sends a GET to sign-in with the page as the return address,
 * and answers a POST with the sign-in page holding what the form carried
 * (passwords excepted), so nothing typed is lost; a POST must carry its
 * session's CSRF token; a page needing a permission the role lacks is 403.
 */
import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import {
  findSession,
  type Permission,
  roleAllows,
  rolePermissions,
  userActor,
} from "../access/mod.ts";
import type { ConsoleDeps, ConsoleEnv } from "./deps.ts";
import { sessionPolicy } from "./deps.ts";
import { csrfRefused, errorPage } from "./error_pages.tsx";
import { signInPage } from "./pages/sign_in.tsx";
import { clearSessionCookie, draftFields, safeReturn, SESSION_COOKIE } from "./cookies.ts";

/** The guard; `permission`, when given, is what the page needs. */
export function requireSession(
  deps: ConsoleDeps,
  permission?: Permission,
): MiddlewareHandler<ConsoleEnv> {
  const policy = sessionPolicy(deps.config);
  return async function guardSession(c, next) {
    const sessionId = getCookie(c, SESSION_COOKIE);
    const session = sessionId
      ? await findSession(deps.db, sessionId, policy, deps.clock.now())
      : null;
    if (!session || !sessionId) {
      if (sessionId) clearSessionCookie(c);
      if (c.req.method !== "POST") {
        const back = c.req.path + new URL(c.req.url).search;
        return c.redirect(`/console/sign-in?return=${encodeURIComponent(back)}`, 303);
      }
      const form = await c.req.parseBody();
      const page = safeReturn(form._page);
      const fields = draftFields(form);
      return signInPage(c, deps, {
        returnTo: page,
        draft: Object.keys(fields).length > 0 ? { page, fields } : null,
        status: 401,
        notice: "Your session ended before the form was sent. Sign in again: what you typed " +
          "is kept and shown again on the page (passwords excepted).",
      });
    }
    c.set("session", session);
    c.set("sessionId", sessionId);
    c.set("actor", userActor(session.user));
    if (c.req.method === "POST") {
      // A page's script (the template preview) sends the token in a header instead of a field.
      const sent = c.req.header("X-CSRF-Token") ?? (await c.req.parseBody())._csrf;
      if (sent !== session.csrfToken) return csrfRefused(c);
    }
    if (permission && !roleAllows(session.user.role, permission)) {
      return errorPage(
        c,
        403,
        "Your role does not allow this page",
        `This page needs the permission ${permission}; your role ${session.user.role} has ` +
          `${rolePermissions[session.user.role].join(", ")}. Ask an admin if you need it.`,
      );
    }
    return await next();
  };
}
