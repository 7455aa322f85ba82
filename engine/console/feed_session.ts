/**
 * A console session as the identity of a plugin WebSocket: the overview's
 * live feed connects to /plugins/dashboard/ws with the session cookie rather
 * than an API token. Only for a WebSocket upgrade from a page of this same
 * origin: browsers send cookies on cross-site WebSocket handshakes, and the
 * Origin header, which a page cannot forge, is what tells them apart.
 */
import { parse } from "hono/utils/cookie";
import { type Actor, findSession, userActor } from "../access/mod.ts";
import type { ConsoleDeps } from "./deps.ts";
import { sessionPolicy } from "./deps.ts";
import { SESSION_COOKIE } from "./cookies.ts";

/** The signed-in user of `request`'s console session, or null (no, expired or cross-site). */
export async function sessionActorOfUpgrade(
  request: Request,
  deps: Pick<ConsoleDeps, "db" | "clock" | "config">,
): Promise<Actor | null> {
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return null;
  const origin = request.headers.get("origin");
  if (!origin || !sameOrigin(origin, request, deps.config.PUBLIC_URL)) return null;
  const sessionId = parse(request.headers.get("cookie") ?? "", SESSION_COOKIE)[SESSION_COOKIE];
  if (!sessionId) return null;
  const session = await findSession(
    deps.db,
    sessionId,
    sessionPolicy(deps.config),
    deps.clock.now(),
  );
  return session ? userActor(session.user) : null;
}

// The page's origin must be the engine's: its public URL (behind a proxy) or the host the
// request came to.
function sameOrigin(origin: string, request: Request, publicUrl: string): boolean {
  let page: URL;
  try {
    page = new URL(origin);
  } catch {
    return false;
  }
  const host = request.headers.get("host") ?? new URL(request.url).host;
  return page.host === host || page.origin === new URL(publicUrl).origin;
}
