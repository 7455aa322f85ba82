/** API tokens: create (the secret is in this one answer only), list, read, revoke. */
import { createRoute, z } from "@hono/zod-openapi";
import { createToken, getToken, listTokens, revokeToken, roles } from "../../access/mod.ts";
import type { Api, ApiDeps } from "../deps.ts";
import { changeOf } from "../actor.ts";
import { json, pageQuery, problems } from "../schemas.ts";

const tokenSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  role: z.enum(roles),
  prefix: z.string().openapi({ description: "The token's first characters, to tell it apart" }),
  createdAt: z.string(),
  createdBy: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  revokedBy: z.string().nullable(),
  lastUsedAt: z.string().nullable().openapi({ description: "Recorded at most once a minute" }),
  status: z.enum(["active", "expired", "revoked"]),
}).openapi("Token");

const tokenInputSchema = z.strictObject({
  role: z.enum(roles),
  name: z.string().trim().min(1).max(100).openapi({ example: "crm-sync" }),
  expiresAt: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time" }).optional(),
}).openapi("TokenInput");

const idParam = z.object({
  id: z.coerce.number().int().positive().openapi({ param: { name: "id", in: "path" } }),
});

/** Registers the token routes. */
export function registerTokenRoutes(app: Api, deps: ApiDeps): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/tokens",
      operationId: "createToken",
      summary: "Create an API token",
      description: "The answer's `token` is the secret: it is shown this once and stored only " +
        "as a hash. Send it as `Authorization: Bearer <token>`.",
      tags: ["Access"],
      request: {
        body: { required: true, content: { "application/json": { schema: tokenInputSchema } } },
      },
      responses: {
        201: json(tokenSchema.extend({ token: z.string() }), "The token, with its secret"),
        ...problems(400, 413, 415),
      },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const { token, info } = await createToken(deps.db, {
        name: input.name,
        role: input.role,
        expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
      }, changeOf(c, deps.clock));
      c.header("Location", `/api/v1/tokens/${info.id}`);
      c.header("Cache-Control", "no-store");
      return c.json({ ...info, token }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/tokens",
      operationId: "listTokens",
      summary: "API tokens, newest first",
      tags: ["Access"],
      request: {
        query: pageQuery.extend({
          cursor: z.string().regex(/^[1-9][0-9]{0,15}$/, {
            error: "must be the nextCursor of an earlier page",
          }).optional(),
          role: z.enum(roles).optional(),
          status: z.enum(["active", "expired", "revoked"]).optional(),
        }),
      },
      responses: {
        200: json(
          z.object({ items: z.array(tokenSchema), nextCursor: z.string().nullable() }),
          "A page of tokens",
        ),
        ...problems(400),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const page = await listTokens(deps.db, {
        limit: q.limit,
        ...(q.cursor ? { cursor: Number(q.cursor) } : {}),
        ...(q.role ? { role: q.role } : {}),
        ...(q.status ? { status: q.status } : {}),
      }, deps.clock.now());
      return c.json({
        items: page.tokens,
        nextCursor: page.nextCursor === null ? null : String(page.nextCursor),
      }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/tokens/{id}",
      operationId: "getToken",
      summary: "One API token (never its secret)",
      tags: ["Access"],
      request: { params: idParam },
      responses: { 200: json(tokenSchema, "The token"), ...problems(400, 404) },
    }),
    async (c) => c.json(await getToken(deps.db, c.req.valid("param").id, deps.clock.now()), 200),
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/api/v1/tokens/{id}",
      operationId: "revokeToken",
      summary: "Revoke an API token",
      description: "Takes effect at once on this engine, within TOKEN_CACHE_SECONDS on others. " +
        "Revoking twice is harmless.",
      tags: ["Access"],
      request: { params: idParam },
      responses: { 200: json(tokenSchema, "The revoked token"), ...problems(400, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const info = await revokeToken(deps.db, id, changeOf(c, deps.clock));
      deps.verifier?.forget(id);
      return c.json(info, 200);
    },
  );
}
