/** `GET /api/v1/milestones`: the milestone catalog. */
import { createRoute, z } from "@hono/zod-openapi";
import { listMilestoneDefinitions, milestoneDefinitionSchema } from "../../signals/mod.ts";
import type { Api, ApiDeps } from "../deps.ts";
import { json } from "../schemas.ts";

/** Registers the milestone catalog route. */
export function registerMilestoneRoutes(app: Api, deps: ApiDeps): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/milestones",
      operationId: "listMilestones",
      summary: "The milestone catalog",
      tags: ["Signals"],
      responses: {
        200: json(z.object({ items: z.array(milestoneDefinitionSchema) }), "Every milestone"),
      },
    }),
    async (c) => c.json({ items: await listMilestoneDefinitions(deps.db) }, 200),
  );
}
