/** Health scores: a customer's health, and the active health model. */
import { createRoute, z } from "@hono/zod-openapi";
import type { TypedResponse } from "hono";
import { CustomerHealthReader, getActiveHealthModel, healthModelSchema } from "../../health/mod.ts";
import { customerIdSchema } from "../../signals/mod.ts";
import type { Api, ApiDeps } from "../deps.ts";
import { customerHealthSchema, documented, json, problems } from "../schemas.ts";

/** Registers the health routes. */
export function registerHealthRoutes(app: Api, deps: ApiDeps): void {
  const reader = new CustomerHealthReader(deps.db);
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/customers/{id}/health",
      operationId: "getCustomerHealth",
      summary: "A customer's latest health score, components, trend and history",
      tags: ["Health"],
      request: {
        params: z.object({
          id: documented(customerIdSchema).openapi({ param: { name: "id", in: "path" } }),
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
      // JSON built by PostgreSQL, sent as it is (getCustomersHealthJson says why).
      const health = await reader.readJson(id, { historyDays: days });
      const response = c.body(health, 200, { "Content-Type": "application/json" });
      // The text is a CustomerHealth (its test checks it against the schema); say so to the types.
      return response as unknown as TypedResponse<
        z.output<typeof customerHealthSchema>,
        200,
        "json"
      >;
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
