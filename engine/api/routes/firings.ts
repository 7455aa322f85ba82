/** `GET /api/v1/customers/{id}/firings`: which rules fired for a customer, and why. */
import { createRoute, z } from "@hono/zod-openapi";
import { listCustomerFirings } from "../../rules/mod.ts";
import { customerIdSchema, getCustomer } from "../../signals/mod.ts";
import type { Api, ApiDeps } from "../deps.ts";
import { documented, json, pageQuery, problems } from "../schemas.ts";

const firingSchema = z.object({
  id: z.number().int(),
  cycleId: z.number().int(),
  customerId: z.string(),
  ruleId: z.string(),
  ruleVersion: z.number().int(),
  priority: z.number().int(),
  event: z.object({ type: z.string(), params: z.record(z.string(), z.unknown()) }),
  facts: z.record(z.string(), z.unknown()).openapi({
    description: "The facts the rule's conditions read, as they were when it fired",
  }),
  conditions: z.array(z.unknown()).openapi({
    description: "Each comparison: path (JSON path in the rule), fact, operator, factValue, " +
      "value, held (null when an earlier priority group had decided)",
  }),
  firedAt: z.string(),
}).openapi("RuleFiring");

/** Registers the firing routes. */
export function registerFiringRoutes(app: Api, deps: ApiDeps): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/customers/{id}/firings",
      operationId: "listCustomerFirings",
      summary: "The rules that fired for a customer, newest first, with what they saw",
      tags: ["Rules"],
      request: {
        params: z.object({
          id: documented(customerIdSchema).openapi({ param: { name: "id", in: "path" } }),
        }),
        query: pageQuery.extend({
          cursor: z.string().regex(/^[1-9][0-9]{0,15}$/, {
            error: "must be the nextCursor of an earlier page (a firing id)",
          }).optional(),
          ruleId: z.string().max(80).optional(),
        }),
      },
      responses: {
        200: json(
          z.object({ items: z.array(firingSchema), nextCursor: z.string().nullable() }),
          "A page of firings; the cursor is a firing id",
        ),
        ...problems(400, 404),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { limit, cursor, ruleId } = c.req.valid("query");
      await getCustomer(deps.db, id);
      const page = await listCustomerFirings(deps.db, id, {
        limit,
        cursor: cursor === undefined ? undefined : Number(cursor),
        ruleId,
      });
      return c.json(page, 200);
    },
  );
}
