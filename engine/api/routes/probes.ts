/**
 * Liveness and readiness, separate as load balancers and Kubernetes want
 * them: `GET /api/customer-success/health/live` says the process answers
 * (restart it if not) and never touches the database, so a database outage
 * does not restart every engine; `GET /api/customer-success/health/ready`
 * says whether to send it traffic: started, not stopping, database
 * reachable, no migration pending. Both public, like the minimal health check.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { loadMigrations, schemaVersion } from "../../db/mod.ts";
import type { Api, ApiDeps } from "../deps.ts";
import { json } from "../schemas.ts";
import { databaseAnswers } from "./status.ts";

const liveSchema = z.object({
  status: z.literal("alive"),
  uptimeSeconds: z.number().openapi({ description: "Seconds since the process started" }),
  checkedAt: z.string(),
}).openapi("Liveness");

const readySchema = z.object({
  status: z.enum(["ready", "starting", "stopping", "not-ready"]).openapi({
    description: "ready: send traffic; starting or stopping: the engine's own phase; " +
      "not-ready: started, but a dependency is missing (see reasons)",
  }),
  reasons: z.array(z.string()).openapi({ description: "Why it is not ready; empty when ready" }),
  checkedAt: z.string(),
}).openapi("Readiness");

const started = performance.now();

/** Registers the liveness and readiness probes. */
export function registerProbeRoutes(app: Api, deps: ApiDeps): void {
  // The newest migration this engine knows, read once: the files do not change while it runs.
  let latestKnown: Promise<number> | null = null;

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/customer-success/health/live",
      operationId: "getLiveness",
      summary: "Liveness: the process answers",
      description: "Public. Answers 200 whenever the event loop runs, database or not: a probe " +
        "that times out means the process hangs and should be restarted.",
      tags: ["Operations"],
      responses: { 200: json(liveSchema, "The process is alive") },
    }),
    (c) => {
      c.header("Cache-Control", "no-store");
      return c.json({
        status: "alive" as const,
        uptimeSeconds: Math.round((performance.now() - started) / 1000),
        checkedAt: deps.clock.now().toISOString(),
      }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/customer-success/health/ready",
      operationId: "getReadiness",
      summary: "Readiness: send this engine traffic",
      description: "Public. 200 once the engine has started, while its database answers and no " +
        "migration is pending; 503 while it starts, as soon as it begins stopping (before it " +
        "stops accepting requests), and while the database is unreachable.",
      tags: ["Operations"],
      responses: {
        200: json(readySchema, "Ready for traffic"),
        503: json(readySchema, "Not ready: starting, stopping, or a dependency is missing"),
      },
    }),
    async (c) => {
      c.header("Cache-Control", "no-store");
      const checkedAt = deps.clock.now().toISOString();
      const phase = deps.lifecycle?.phase ?? "ready";
      if (phase !== "ready") {
        // Draining answers before the app (Lifecycle.track); shown as stopping all the same.
        const status = phase === "draining" ? "stopping" : phase;
        return c.json({ status, reasons: [`The engine is ${status}`], checkedAt }, 503);
      }
      const reasons: string[] = [];
      if (!await databaseAnswers(deps)) {
        reasons.push("The database does not answer");
      } else {
        latestKnown ??= loadMigrations().then((m) => m.at(-1)?.version ?? 0);
        const [applied, known] = await Promise.all([schemaVersion(deps.db), latestKnown]);
        if (applied < known) {
          reasons.push(
            `Schema version ${applied}, this engine needs ${known}: run deno task migrate`,
          );
        }
      }
      return reasons.length > 0
        ? c.json({ status: "not-ready" as const, reasons, checkedAt }, 503)
        : c.json({ status: "ready" as const, reasons, checkedAt }, 200);
    },
  );
}
