/** Health scores: a customer's health, and the active health model. */
import { createRoute, z } from "@hono/zod-openapi";
import { getActiveHealthModel, getCustomerHealth, healthModelSchema } from "../../health/mod.ts";
import { assertCustomerExists, customerIdSchema } from "../../signals/mod.ts";
import type { Api, ApiDeps } from "../deps.ts";
import { customerHealthSchema, json, problems } from "../schemas.ts";

/** Registers the health routes. */
export function registerHealthRoutes(app: Api, deps: ApiDeps): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/customers/{id}/health",
      operationId: "getCustomerHealth",
      summary: "A customer's latest health score, components, trend and history",
      tags: ["Health"],
      request: {
        params: z.object({
          id: customerIdSchema.openapi({ param: { name: "id", in: "path" } }),
        }),
        query: z.object({
          days: z.coerce.number().int().min(1).max(730).default(90).openapi({
            description: "Days of history before the latest score",
          }),
        }),
      },
      responses: {
        200: json(customerHealthSchema, "The customer's health"),
        ...problems(400, 404),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { days } = c.req.valid("query");
      const health = await getCustomerHealth(deps.db, id, { historyDays: days });
      if (health.latest === null) await assertCustomerExists(deps.db, id);
      return c.json(health, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/health-model",
      operationId: "getHealthModel",
      summary: "The active health model: components, weights, windows and scales",
      tags: ["Health"],
      responses: { 200: json(healthModelSchema, "The active health model") },
    }),
    async (c) => c.json(await getActiveHealthModel(deps.db), 200),
  );
}
