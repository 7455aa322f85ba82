/**
 * The console's cookies and return addresses: the session cookie (HttpOnly,
 * SameSite=Lax, Secure when served over TLS), and the checks that keep a
 * return address inside the console.
 */
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import type { ConsoleDeps } from "./deps.ts";

/** The session cookie. */
export const SESSION_COOKIE = "cse_session";

// The whole site, not only /console: a console page opens plugin WebSockets (the
// dashboard's live feed at /plugins/dashboard/ws) with it. Nothing else reads it: the API
// takes tokens only, and a plugin WebSocket takes it only from a same-origin page
// (engine/console/feed_session.ts), so no other site can use it.
const SESSION_COOKIE_PATH = "/";

/** Whether cookies must be Secure: the console is reached over TLS. */
export function servedOverTls(c: Context, publicUrl: string): boolean {
  return publicUrl.startsWith("https:") || new URL(c.req.url).protocol === "https:";
}

/** Sets the session cookie: HttpOnly, SameSite=Lax, Secure over TLS, ends with the session. */
export function setSessionCookie(c: Context, deps: ConsoleDeps, sessionId: string): void {
  setCookie(c, SESSION_COOKIE, sessionId, {
    path: SESSION_COOKIE_PATH,
    httpOnly: true,
    sameSite: "Lax",
    secure: servedOverTls(c, deps.config.PUBLIC_URL),
    maxAge: deps.config.CONSOLE_SESSION_MAX_HOURS * 3600,
  });
}

/** Removes the session cookie. */
export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: SESSION_COOKIE_PATH });
}

/** A path inside the console to return to, or "/console" for anything else. */
export function safeReturn(path: unknown): string {
  if (typeof path !== "string") return "/console";
  // Only this console's pages: no other host (//evil), no scheme, no backslash tricks.
  return /^\/console(?:[/?][^\\\s]*)?$/.test(path) && !path.startsWith("//") ? path : "/console";
}

/** The text fields of a form worth keeping: no CSRF token, page or password. */
export function draftFields(form: Record<string, unknown>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(form)) {
    if (typeof value !== "string" || name.startsWith("_") || /password/i.test(name)) continue;
    fields[name] = value.slice(0, 10_000);
  }
  return fields;
}
