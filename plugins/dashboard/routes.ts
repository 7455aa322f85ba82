/**
 * The feed's routes, under /plugins/dashboard: `GET /ws` (the WebSocket
 * feed) and `GET /status` (clients, drops, metrics, the push endpoint). The
 * engine has checked the caller's token before a request gets here; these
 * check that the caller's role may read metrics.
 */
import type { Hono } from "hono";
import { isRole, roleAllows } from "../../engine/access/mod.ts";
import { EngineError } from "../../engine/errors.ts";
import { type RequestActor, requestActor } from "../../engine/plugins/mod.ts";
import type { DashboardFeed } from "./feed.ts";
import { parseEventsQuery } from "./protocol.ts";

/** The permission the feed needs: it shows customers' health, predictions and metrics. */
export const FEED_PERMISSION = "read:metrics";

/** Adds the feed's routes to the plugin's app. */
export function feedRoutes(feed: DashboardFeed): (app: Hono) => void {
  return (app) => {
    // The engine's one error mapping answers (a problem+json with the request id), so an
    // EngineError thrown here goes back to it rather than becoming Hono's plain 500.
    app.onError((error) => {
      throw error;
    });

    app.get("/ws", (c) => {
      const actor = reader(c.req.raw);
      if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
        throw new EngineError(
          "VALIDATION_FAILED",
          "GET /plugins/dashboard/ws is a WebSocket: connect with new WebSocket(" +
            '"wss://<engine>/plugins/dashboard/ws?access_token=<token>")',
          { issues: [{ path: "headers.upgrade", message: 'must be "websocket"' }] },
        );
      }
      const filter = parseEventsQuery(c.req.query("events"));
      if (!filter.ok) {
        throw new EngineError(
          "VALIDATION_FAILED",
          `Invalid request: query.events: ${filter.problem}`,
          {
            issues: [{ path: "query.events", message: filter.problem }],
          },
        );
      }
      // Deno's own upgrade rather than hono/deno's helper (deprecated, gone in Hono 5): the
      // feed keeps the socket itself, reads its bufferedAmount and sets its handlers once.
      let upgraded: { socket: WebSocket; response: Response };
      try {
        upgraded = Deno.upgradeWebSocket(c.req.raw);
      } catch (error) {
        throw new EngineError(
          "VALIDATION_FAILED",
          `Not a valid WebSocket upgrade: ${
            error instanceof Error ? error.message : String(error)
          }`,
          { issues: [{ path: "headers", message: "must be a WebSocket upgrade (RFC 6455)" }] },
        );
      }
      feed.attach(upgraded.socket, actor, filter.events);
      return upgraded.response;
    });

    app.get("/status", (c) => {
      reader(c.req.raw);
      return c.json(feed.status());
    });
  };
}

/** The caller, when its role may read the feed; UNAUTHENTICATED or FORBIDDEN otherwise. */
function reader(request: Request): RequestActor {
  const actor = requestActor(request);
  if (!actor) {
    throw new EngineError(
      "UNAUTHENTICATED",
      "The dashboard feed needs a valid API token: ?access_token=<token> on the WebSocket URL, " +
        "or Authorization: Bearer <token>",
    );
  }
  if (!isRole(actor.role) || !roleAllows(actor.role, FEED_PERMISSION)) {
    throw new EngineError(
      "FORBIDDEN",
      `The dashboard feed needs a role with ${FEED_PERMISSION} (success-analyst, ` +
        `success-manager or admin); the role "${actor.role}" does not have it`,
    );
  }
  return actor;
}
