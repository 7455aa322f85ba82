/**
 * The seed's health endpoints: `GET /api/customer-success/health` (public,
 * minimal: is the engine up) and `/health/{engine,ml,interventions,
 * integrations,privacy}` (detailed, `read:metrics`). Both read the health
 * monitor's cached report, so they stay cheap however often they are polled.
 */
import { createRoute, z } from "@hono/zod-openapi";
import {
  createHealthMonitor,
  type HealthComponent,
  healthComponents,
  type HealthMonitor,
  type HealthStatus,
  healthStatuses,
} from "../../ops/mod.ts";
import type { Api, ApiDeps } from "../deps.ts";
import { documented, json } from "../schemas.ts";

/** The overall check's own database round trip may take this long before it counts as down. */
const PING_TIMEOUT_MS = 3_000;

const healthStatusSchema = z.enum(healthStatuses).openapi({
  description: "healthy: works; degraded: works with a problem or a missing part " +
    "(see reasons); unhealthy: does not work (answered with 503)",
});

const statusSchema = z.object({
  status: healthStatusSchema,
  checkedAt: z.string().openapi({ description: "When this answer was made" }),
}).openapi("EngineStatus");

const checkSchema = z.object({
  name: z.string().openapi({ example: "database" }),
  status: healthStatusSchema,
  message: z.string().openapi({ description: "What the check found, and what to do about it" }),
  details: z.record(z.string(), z.unknown()).openapi({
    description: "The facts behind the status (versions, times, counts); never secrets",
  }),
  checkedAt: z.string(),
  durationMs: z.number(),
}).openapi("HealthCheckResult");

const componentSchema = z.object({
  component: z.enum(healthComponents),
  status: documented(healthStatusSchema).openapi({ description: "The worst status of its checks" }),
  reasons: z.array(z.string()).openapi({
    description: "`check: message` of each check that is not healthy",
  }),
  checkedAt: z.string().openapi({
    description: "When the checks last ran (every HEALTH_CHECK_INTERVAL)",
  }),
  checks: z.array(checkSchema),
}).openapi("ComponentHealth");

const componentSummaries: Record<HealthComponent, string> = {
  engine: "Engine health: database reachable, its latency and schema version",
  ml: "ML health: churn model loaded and its version, health model and last scoring",
  interventions: "Interventions health: last cycle and its age against the schedule, outbox",
  integrations: "Integrations health: plugins and their endpoints, event log depth",
  privacy: "Privacy health: data kept past the retention window, retention job, encryption",
};

/** Registers the overall and the per-component health endpoints. */
export function registerStatusRoutes(app: Api, deps: ApiDeps): void {
  const health = deps.health ?? createHealthMonitor({
    db: deps.db,
    config: deps.config,
    clock: deps.clock,
    log: deps.log.child({ component: "health" }),
    ...(deps.eventHub ? { eventHub: deps.eventHub } : {}),
    ...(deps.plugins ? { plugins: deps.plugins } : {}),
  });

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/customer-success/health",
      operationId: "getHealth",
      summary: "Overall engine health",
      description: "Public and minimal, for load balancers and uptime checks: the worst " +
        "status of every component, nothing more. The database is asked on each call; the " +
        "rest comes from the checks that run every HEALTH_CHECK_INTERVAL.",
      tags: ["Operations"],
      responses: {
        200: json(statusSchema, "The engine works (healthy or degraded)"),
        503: json(statusSchema, "The engine does not work, e.g. its database cannot be reached"),
      },
    }),
    async (c) => {
      const status = await overallStatus(health, deps);
      c.header("Cache-Control", "no-store");
      const body = { status, checkedAt: deps.clock.now().toISOString() };
      return status === "unhealthy" ? c.json(body, 503) : c.json(body, 200);
    },
  );

  for (const component of healthComponents) {
    app.openapi(
      createRoute({
        method: "get",
        path: `/api/customer-success/health/${component}`,
        operationId: `get${component[0]!.toUpperCase()}${component.slice(1)}Health`,
        summary: componentSummaries[component],
        description: "The component's status, the reasons for it, and each check's findings, " +
          "as of the last round of checks (they run every HEALTH_CHECK_INTERVAL).",
        tags: ["Operations"],
        responses: {
          200: json(componentSchema, "The component works (healthy or degraded)"),
          503: json(componentSchema, "The component does not work"),
        },
      }),
      async (c) => {
        const report = (await health.report()).components[component];
        c.header("Cache-Control", "no-store");
        return report.status === "unhealthy" ? c.json(report, 503) : c.json(report, 200);
      },
    );
  }
}

/**
 * The worst status of every component, with the database asked now: a lost
 * database must show at once, not one interval later.
 */
async function overallStatus(health: HealthMonitor, deps: ApiDeps): Promise<HealthStatus> {
  if (!await databaseAnswers(deps)) return "unhealthy";
  let report = await health.report();
  const database = report.components.engine.checks.find((check) => check.name === "database");
  // The database is back since the last round said it was gone: look again.
  if (database?.status === "unhealthy") report = await health.refresh();
  return report.status;
}

/** Whether the database answers `select 1` within PING_TIMEOUT_MS. */
export async function databaseAnswers(deps: ApiDeps): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS);
  });
  const ping = deps.db.query("select 1").then(() => true, (error) => {
    deps.log.warn("health check: the database does not answer", { error });
    return false;
  });
  try {
    return await Promise.race([ping, late]);
  } finally {
    clearTimeout(timer);
  }
}
