/** `GET /api/v1/facts`: the fact catalog rules are written against. */
import { createRoute, z } from "@hono/zod-openapi";
import { loadFactCatalog } from "../../rules/mod.ts";
import type { Api, ApiDeps } from "../deps.ts";
import { pageOf } from "../page.ts";
import { json, pageQuery, problems } from "../schemas.ts";

const factSchema = z.object({
  name: z.string().openapi({ example: "healthScore" }),
  type: z.enum(["number", "string", "boolean", "list"]),
  unit: z.string().nullable().openapi({ example: "points (0–100)" }),
  description: z.string(),
  source: z.string().openapi({
    description: "customer, signals, milestones, health, prediction, interventions, calendar, " +
      "or plugin:<name>",
  }),
  values: z.array(z.string()).optional().openapi({
    description: "The values a string or list fact takes, when they are a closed set",
  }),
}).openapi("Fact");

/** Registers the fact catalog route. */
export function registerFactRoutes(app: Api, deps: ApiDeps): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/facts",
      operationId: "listFacts",
      summary: "Every fact a rule may use, with its type, unit, description and source",
      tags: ["Rules"],
      request: { query: pageQuery },
      responses: {
        200: json(
          z.object({ items: z.array(factSchema), nextCursor: z.string().nullable() }),
          "The catalog; the cursor is a fact name",
        ),
        ...problems(400),
      },
    }),
    async (c) => {
      const catalog = await loadFactCatalog(deps.db, deps.plugins?.factDefinitions() ?? []);
      const facts = [...catalog.values()].map(({ values, ...fact }) => ({
        ...fact,
        ...(values ? { values: [...values] } : {}),
      }));
      return c.json(pageOf(facts, (fact) => fact.name, c.req.valid("query")), 200);
    },
  );
}
