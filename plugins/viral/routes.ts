/**
 * The plugin's routes, under /plugins/viral (the engine has checked the
 * caller's token before a request gets here):
 *
 * - `POST /referrals` records a batch of referrals and answers each item.
 *   The product's backend sends them with its ingestion token (an admin's,
 *   as for POST /api/v1/events), or a success manager records one by hand:
 *   roles `admin` and `success-manager`. Analysts only read.
 * - `GET /referrals?referrerId=…&limit=…` lists a customer's referrals,
 *   newest first: every role.
 */
import type { Hono } from "hono";
import { z } from "zod";
import type { Role } from "../../engine/access/mod.ts";
import type { Db } from "../../engine/db/mod.ts";
import { EngineError } from "../../engine/errors.ts";
import type { Logger } from "../../engine/log.ts";
import { type RequestActor, requestActor } from "../../engine/plugins/mod.ts";
import { parseOrThrow } from "../../engine/validation.ts";
import { recordReferrals } from "./record_referrals.ts";
import { referralBatchSchema } from "./referral_schema.ts";
import { listReferrals } from "./referral_store.ts";

/** The roles that may record referrals. */
export const REFERRAL_WRITERS: readonly Role[] = ["admin", "success-manager"];

const listQuerySchema = z.strictObject({
  referrerId: z.string({ error: "is required: the customer whose referrals to list" }).min(1)
    .max(128),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** What the routes need. */
export interface RouteDeps {
  db: Db;
  log: Logger;
  now: () => Date;
  boostPoints: number;
}

/** Adds the routes to the plugin's app. */
export function referralRoutes(app: Hono, deps: RouteDeps): void {
  app.notFound((c) => {
    throw new EngineError(
      "ROUTE_NOT_FOUND",
      `No route ${c.req.method} ${c.req.path}; the viral plugin serves POST and GET ` +
        "/plugins/viral/referrals (plugins/viral/README.md)",
    );
  });

  app.post("/referrals", async (c) => {
    const actor = callerOf(c.req.raw);
    if (!(REFERRAL_WRITERS as readonly string[]).includes(actor.role)) {
      throw new EngineError(
        "FORBIDDEN",
        `Recording referrals needs the role ${REFERRAL_WRITERS.join(" or ")}; ` +
          `${actor.id} is ${actor.role}`,
      );
    }
    const batch = parseOrThrow(referralBatchSchema, await jsonBody(c.req.raw), {
      what: "referral batch",
    });
    const result = await recordReferrals(deps.db, batch.referrals, {
      actor: actor.id,
      now: deps.now(),
      boostPoints: deps.boostPoints,
    });
    return c.json(result, 200);
  });

  app.get("/referrals", async (c) => {
    callerOf(c.req.raw);
    const query = parseOrThrow(listQuerySchema, c.req.query(), { what: "query" });
    const items = await listReferrals(deps.db, query.referrerId, query.limit);
    if (items === null) {
      throw new EngineError("CUSTOMER_NOT_FOUND", `No customer "${query.referrerId}"`, {
        issues: [{ path: "referrerId", message: "names no customer" }],
      });
    }
    return c.json({ referrerId: query.referrerId, items }, 200);
  });
}

/** The caller the engine checked; a request that bypassed the engine has none. */
function callerOf(request: Request): RequestActor {
  const actor = requestActor(request);
  if (actor === null) {
    throw new EngineError(
      "UNAUTHENTICATED",
      "The viral plugin's routes need a valid API token: Authorization: Bearer <token>",
      { headers: { "WWW-Authenticate": 'Bearer realm="customer-success-engine"' } },
    );
  }
  return actor;
}

async function jsonBody(request: Request): Promise<unknown> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/([a-z0-9.+-]*\+)?json\b/i.test(type)) {
    throw new EngineError(
      "UNSUPPORTED_MEDIA_TYPE",
      "Send the body as JSON with the header Content-Type: application/json",
    );
  }
  try {
    return await request.json();
  } catch {
    throw new EngineError(
      "MALFORMED_JSON",
      "The body is not valid JSON: check quotes, commas and brackets (an empty body is not JSON either)",
    );
  }
}
