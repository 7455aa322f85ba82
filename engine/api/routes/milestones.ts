/** `GET /api/v1/milestones`: the milestone catalog. */
import { createRoute, z } from "@hono/zod-openapi";
import { listMilestoneDefinitions, milestoneDefinitionSchema } from "../../signals/mod.ts";
import type { Api, ApiDeps } from "../deps.ts";
import { pageOf } from "../page.ts";
import { json, pageQuery, problems } from "../schemas.ts";

/** Registers the milestone catalog route. */
export function registerMilestoneRoutes(app: Api, deps: ApiDeps): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/milestones",
      operationId: "listMilestones",
      summary: "The milestone catalog",
      tags: ["Signals"],
      request: { query: pageQuery },
      responses: {
        200: json(
          z.object({
            items: z.array(milestoneDefinitionSchema),
            nextCursor: z.string().nullable(),
          }),
          "The catalog in its order; the cursor is a milestone key",
        ),
        ...problems(400),
      },
    }),
    async (c) => {
      const page = pageOf(
        await listMilestoneDefinitions(deps.db),
        (m) => m.key,
        c.req.valid("query"),
      );
      return c.json(page, 200);
    },
  );
}
