/** `GET /api/customer-success/health` (seed): is the engine up and its database reachable. */
import { createRoute, z } from "@hono/zod-openapi";
import type { Api, ApiDeps } from "../deps.ts";
import { json } from "../schemas.ts";

const statusSchema = z.object({
  status: z.enum(["healthy", "unhealthy"]),
  checkedAt: z.string(),
}).openapi("EngineStatus");

/** Registers the overall health endpoint (minimal: no details without authentication). */
export function registerStatusRoutes(app: Api, deps: ApiDeps): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/customer-success/health",
      summary: "Overall engine health",
      tags: ["Operations"],
      responses: {
        200: json(statusSchema, "The engine and its database work"),
        503: json(statusSchema, "The database cannot be reached"),
      },
    }),
    async (c) => {
      const checkedAt = deps.clock.now().toISOString();
      try {
        await deps.db.query("select 1");
        return c.json({ status: "healthy" as const, checkedAt }, 200);
      } catch (error) {
        deps.log.warn("health check failed", { error });
        return c.json({ status: "unhealthy" as const, checkedAt }, 503);
      }
    },
  );
}
