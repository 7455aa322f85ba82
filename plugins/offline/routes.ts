/**
 * The plugin's routes, under /plugins/offline: the feed (GET /changes), the
 * push (POST /push), the caller's own scope (GET /me) and, for admins, the
 * assignments of customers to callers. Errors are thrown to the engine,
 * whose one mapping answers them as problem responses
 * (application/problem+json, with the path of each bad field).
 */
import type { Context, Hono } from "hono";
import { z } from "zod";
import { getToken } from "../../engine/access/mod.ts";
import { appendAudit } from "../../engine/audit/mod.ts";
import type { Clock } from "../../engine/clock.ts";
import type { Db } from "../../engine/db/mod.ts";
import { EngineError } from "../../engine/errors.ts";
import { lockCustomers } from "../../engine/signals/mod.ts";
import { parseOrThrow } from "../../engine/validation.ts";
import { listAssignments, readAssignments, replaceAssignments } from "./assignments_sql.ts";
import { assertAdministers, type Caller, callerOf, type Scope, scopeOf } from "./caller.ts";
import { readChanges } from "./changes.ts";
import { pushChanges } from "./push.ts";
import type { OfflineSettings } from "./settings.ts";

/** What the routes use. */
export interface RouteDeps {
  db: Db;
  clock: Clock;
  settings: OfflineSettings;
}

const changesQuery = z.strictObject({
  cursor: z.string().min(1, "must not be empty; leave it out to sync from the start").max(2_000)
    .optional(),
  limit: z.coerce.number({ error: "must be a whole number" }).int("must be a whole number")
    .min(1, "must be at least 1").max(1_000, "must be at most 1000").default(100),
});

const callerParam = z.string().regex(/^token:[1-9][0-9]{0,15}$/, {
  error: "must name an API token as token:<id>, e.g. token:12 (GET /api/v1/tokens lists the ids)",
});

const assignmentBody = z.strictObject({
  customerIds: z.array(z.string().min(1).max(128)).max(10_000, "assign at most 10000 customers"),
  reason: z.string().max(1_000).optional(),
});

/** Adds the routes to the plugin's app. */
export function offlineRoutes(app: Hono, deps: RouteDeps): void {
  const { db } = deps;
  const scopeFor = async (caller: Caller): Promise<Scope> =>
    scopeOf(caller, await readAssignments(db, caller.key));

  app.get("/changes", async (c) => {
    const caller = callerOf(c.req.raw);
    const query = parseOrThrow(changesQuery, c.req.query(), { what: "query" });
    const page = await readChanges(db, { caller, scope: await scopeFor(caller) }, {
      cursor: query.cursor ?? null,
      limit: query.limit,
    });
    return c.json(page);
  });

  app.post("/push", async (c) => {
    const caller = callerOf(c.req.raw);
    const body = await jsonBody(c);
    const result = await pushChanges(db, { caller, scope: await scopeFor(caller) }, {
      body,
      now: deps.clock.now(),
      settings: deps.settings,
    });
    return c.json(result);
  });

  app.get("/me", async (c) => {
    const caller = callerOf(c.req.raw);
    const scope = await scopeFor(caller);
    return c.json({
      caller: caller.key,
      role: caller.role,
      readsAll: scope.readsAll,
      writesAll: scope.writesAll,
      customerIds: [...scope.assigned],
      revision: scope.revision,
    });
  });

  app.get("/assignments", async (c) => {
    assertAdministers(callerOf(c.req.raw));
    return c.json({ items: await listAssignments(db) });
  });

  app.get("/assignments/:caller", async (c) => {
    assertAdministers(callerOf(c.req.raw));
    const key = parseOrThrow(callerParam, c.req.param("caller"), {
      what: "caller",
      prefix: ["caller"],
    });
    return c.json(await readAssignments(db, key));
  });

  app.put("/assignments/:caller", async (c) => {
    const admin = callerOf(c.req.raw);
    assertAdministers(admin);
    const key = parseOrThrow(callerParam, c.req.param("caller"), {
      what: "caller",
      prefix: ["caller"],
    });
    const body = parseOrThrow(assignmentBody, await jsonBody(c), { what: "assignment" });
    const now = deps.clock.now();
    await getToken(db, Number(key.slice("token:".length)), now); // TOKEN_NOT_FOUND for a typo
    const { after } = await db.transaction(async (tx) => {
      // Held until commit: a customer being deleted now is not assigned.
      const unknown = await lockCustomers(tx, body.customerIds);
      if (unknown.size > 0) throw unknownCustomers(body.customerIds, unknown);
      const change = await replaceAssignments(tx, key, {
        customerIds: body.customerIds,
        at: now,
        by: admin.id,
      });
      if (change.after.revision !== change.before.revision) {
        await appendAudit(tx, {
          at: now,
          actor: admin.id,
          action: "offline.assignments_changed",
          subjectType: "offline-caller",
          subjectId: key,
          reason: body.reason ?? null,
          before: { customerIds: change.before.customerIds },
          after: { customerIds: change.after.customerIds },
          requestId: c.req.header("x-request-id") ?? null,
        });
      }
      return change;
    });
    return c.json(after);
  });

  // The engine's one error mapping answers (a problem+json with the request id and the path
  // of each bad field), so an error thrown here goes back to it rather than becoming Hono's
  // plain 500.
  app.onError((error) => {
    throw error;
  });
  app.notFound((c) => {
    throw new EngineError(
      "ROUTE_NOT_FOUND",
      `No route ${c.req.method} ${c.req.path}; the offline plugin serves GET /changes, ` +
        "POST /push, GET /me and /assignments (plugins/offline/README.md)",
    );
  });
}

/** The body as JSON: UNSUPPORTED_MEDIA_TYPE unless it says it is, MALFORMED_JSON unless it is. */
async function jsonBody(c: Context): Promise<unknown> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw new EngineError(
      "UNSUPPORTED_MEDIA_TYPE",
      "Send the body as JSON with the header Content-Type: application/json",
    );
  }
  const text = await c.req.text();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new EngineError(
      "MALFORMED_JSON",
      "The body is not valid JSON: check quotes, commas and brackets (an empty body is not JSON either)",
      { cause: error },
    );
  }
}

function unknownCustomers(ids: readonly string[], unknown: ReadonlySet<string>): EngineError {
  const issues = ids.flatMap((id, i) =>
    unknown.has(id) ? [{ path: `customerIds[${i}]`, message: `no customer "${id}"` }] : []
  );
  return new EngineError(
    "UNKNOWN_CUSTOMER",
    `${unknown.size} of the customers to assign do not exist (${
      [...unknown].slice(0, 5).join(", ")
    }${unknown.size > 5 ? ", …" : ""}); nothing was changed`,
    { issues: issues.slice(0, 50) },
  );
}
