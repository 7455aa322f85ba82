/** The audit log: read it, and check its hash chain. */
import { createRoute, z } from "@hono/zod-openapi";
import { listAudit, verifyAuditChain } from "../../audit/mod.ts";
import type { Api, ApiDeps } from "../deps.ts";
import { json, pageQuery, problems } from "../schemas.ts";

const auditEntrySchema = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string().openapi({ example: "token:3 (ops-laptop)" }),
  action: z.string().openapi({ example: "token.revoked" }),
  subjectType: z.string(),
  subjectId: z.string(),
  reason: z.string().nullable(),
  before: z.unknown().openapi({ description: "The subject before the change (null if new)" }),
  after: z.unknown().openapi({ description: "The subject after the change" }),
  requestId: z.string().nullable(),
  prevHash: z.string(),
  hash: z.string(),
}).openapi("AuditEntry");

/** Registers the audit routes. */
export function registerAuditRoutes(app: Api, deps: ApiDeps): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/audit",
      operationId: "listAuditEntries",
      summary: "Audit entries, newest first",
      tags: ["Governance"],
      request: {
        query: pageQuery.extend({
          cursor: z.string().regex(/^[1-9][0-9]{0,15}$/, {
            error: "must be the nextCursor of an earlier page",
          }).optional(),
          subjectType: z.string().max(50).optional(),
          subjectId: z.string().max(200).optional(),
          actor: z.string().max(200).optional(),
          action: z.string().max(100).optional(),
          since: z.iso.datetime({ offset: true }).optional().openapi({
            description: "Entries at or after this time (ISO 8601)",
          }),
          until: z.iso.datetime({ offset: true }).optional().openapi({
            description: "Entries before this time (ISO 8601)",
          }),
        }),
      },
      responses: {
        200: json(
          z.object({ items: z.array(auditEntrySchema), nextCursor: z.string().nullable() }),
          "A page of audit entries",
        ),
        ...problems(400),
      },
    }),
    async (c) => {
      const { cursor, limit, since, until, ...filters } = c.req.valid("query");
      const page = await listAudit(deps.db, {
        limit,
        ...(cursor ? { cursor: Number(cursor) } : {}),
        ...(since ? { since: new Date(since) } : {}),
        ...(until ? { until: new Date(until) } : {}),
        ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)),
      });
      return c.json({
        items: page.entries,
        nextCursor: page.nextCursor === null ? null : String(page.nextCursor),
      }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/audit/verify",
      operationId: "verifyAuditLog",
      summary: "Check the audit log's hash chain",
      description: "Recomputes every entry's hash in order. `valid: false` names the first " +
        "entry that was changed, removed or inserted out of the chain.",
      tags: ["Governance"],
      responses: {
        200: json(
          z.object({
            valid: z.boolean(),
            entries: z.number().int(),
            firstBrokenId: z.number().int().nullable(),
            lastHash: z.string().nullable(),
          }),
          "The result of the check",
        ),
      },
    }),
    async (c) => c.json(await verifyAuditChain(deps.db), 200),
  );
}
