/** The actor of a request, as the access middleware set it. */
import type { Context } from "hono";
import type { Actor, ChangeContext } from "../access/mod.ts";
import type { Clock } from "../clock.ts";
import { EngineError } from "../errors.ts";
import type { ApiEnv } from "./deps.ts";

/** The request's actor; only routes that need a token may ask. */
export function actorOf(c: Context<ApiEnv>): Actor {
  const actor = c.get("actor");
  if (!actor) throw new EngineError("INTERNAL", "a route that needs a token ran without one");
  return actor;
}

/** Who, when and which request, for an audited change. */
export function changeOf(c: Context<ApiEnv>, clock: Clock): ChangeContext {
  return { actor: actorOf(c).id, now: clock.now(), requestId: c.get("requestId") };
}
