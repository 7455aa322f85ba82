/** `GET /api/v1/me`: who the token acts as, and what it may do. */
import { createRoute, z } from "@hono/zod-openapi";
import { rolePermissions, roles } from "../../access/mod.ts";
import { actorOf } from "../actor.ts";
import type { Api } from "../deps.ts";
import { json } from "../schemas.ts";

/** Registers the route. */
export function registerMeRoutes(app: Api): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/me",
      operationId: "getMe",
      summary: "The caller: actor, role and permissions",
      tags: ["Access"],
      responses: {
        200: json(
          z.object({
            actor: z.string(),
            role: z.enum(roles),
            permissions: z.array(z.string()),
          }),
          "The caller",
        ),
      },
    }),
    (c) => {
      const actor = actorOf(c);
      return c.json({
        actor: actor.id,
        role: actor.role,
        permissions: [...rolePermissions[actor.role]],
      }, 200);
    },
  );
}
