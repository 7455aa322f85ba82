/** The Hono app: middleware, routes, and the one error path. */
import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { EngineError, formatPath } from "../errors.ts";
import type { Api, ApiDeps, ApiEnv } from "./deps.ts";
import { asEngineError, problemOf, problemResponse } from "./problem.ts";
import { registerCustomerRoutes } from "./routes/customers.ts";
import { registerCycleRoutes } from "./routes/cycles.ts";
import { registerDocsRoutes } from "./routes/docs.ts";
import { registerEventRoutes } from "./routes/events.ts";
import { registerHealthRoutes } from "./routes/health.ts";
import { registerMilestoneRoutes } from "./routes/milestones.ts";
import { registerFactRoutes } from "./routes/facts.ts";
import { registerRuleApprovalRoutes, registerRuleRoutes } from "./routes/rules.ts";
import { registerFiringRoutes } from "./routes/firings.ts";
import { registerTemplateRoutes } from "./routes/templates.ts";
import { registerInboxRoutes } from "./routes/inbox.ts";
import { registerInterventionRoutes } from "./routes/interventions.ts";
import { registerReportRoutes } from "./routes/reports.ts";
import { registerSuccessReportRoutes } from "./routes/success_reports.ts";
import { registerRoiReportRoutes } from "./routes/roi_report.ts";
import { ReportCache } from "../reports/mod.ts";
import { registerMlRoutes } from "./routes/ml.ts";
import { registerTrackingRoutes } from "./routes/tracking.ts";
import { registerUnsubscribeRoutes } from "./routes/unsubscribe.ts";
import { registerStatusRoutes } from "./routes/status.ts";
import { registerProbeRoutes } from "./routes/probes.ts";
import { registerValidationRoutes } from "./routes/validation.ts";
import { registerAuditRoutes } from "./routes/audit.ts";
import { registerPrivacyRoutes } from "./routes/privacy.ts";
import { registerAlertRoutes } from "./routes/alerts.ts";
import { registerMeRoutes } from "./routes/me.ts";
import { registerMetricsRoutes } from "./routes/metrics.ts";
import { registerTokenRoutes } from "./routes/tokens.ts";
import { registerPluginRoutes } from "./routes/plugins.ts";
import { registerPluginEventRoutes } from "./routes/plugin_events.ts";
import { RateLimiter, TokenVerifier } from "../access/mod.ts";
import { accessControl } from "./access_control.ts";
import { rejectNulCharacters } from "./nul_characters.ts";
import { createEngineMetrics, createHealthMonitor } from "../ops/mod.ts";
import { requestTelemetry } from "./request_telemetry.ts";
import { openApiDocument } from "./openapi_document.ts";
import { compileRouteAccess, openApiPath, routeAccess } from "./route_access.ts";
import { createConsole } from "../console/mod.ts";

const BODILESS = new Set(["GET", "HEAD"]);

const locationPrefix: Record<string, PropertyKey[]> = {
  json: [],
  query: ["query"],
  param: ["path"],
  header: ["header"],
};

/** Builds the engine's HTTP API. */
export function createApi(deps: ApiDeps): Api {
  const verifier = deps.verifier ?? new TokenVerifier({
    db: deps.db,
    clock: deps.clock,
    cacheSeconds: deps.config.TOKEN_CACHE_SECONDS,
    onError: (error) => deps.log.warn("recording a token's last use failed", { error }),
  });
  const metrics = deps.metrics ?? createEngineMetrics();
  deps = { ...deps, verifier, metrics };
  const app: Api = new OpenAPIHono<ApiEnv>({
    // Invalid input anywhere becomes one VALIDATION_FAILED problem with JSON paths.
    defaultHook: (result) => {
      if (result.success) return;
      const prefix = locationPrefix[result.target] ?? [result.target];
      const issues = result.error.issues.map((issue) => ({
        path: formatPath([...prefix, ...issue.path]) || "(body)",
        message: issue.message,
      }));
      const first = issues[0]!;
      throw new EngineError(
        "VALIDATION_FAILED",
        `Invalid request: ${first.path}: ${first.message}${
          issues.length > 1 ? ` (and ${issues.length - 1} more)` : ""
        }`,
        { issues },
      );
    },
  });

  app.use("*", async function requestContext(c, next) {
    const requestId = c.req.header("x-request-id")?.slice(0, 100) || crypto.randomUUID();
    c.set("requestId", requestId);
    const started = performance.now();
    await next();
    c.header("X-Request-Id", requestId);
    deps.log.info("request", {
      requestId,
      actor: c.get("actor")?.id,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
    });
  });

  // Inside requestContext (the span carries the request id), outside access control
  // (refused requests are measured too).
  app.use("*", requestTelemetry(metrics));

  // Before the body is read: an unauthenticated request costs no parsing.
  const routes = compileRouteAccess(routeAccess);
  app.use(
    "*",
    accessControl({
      routes,
      verifier,
      limiter: new RateLimiter({
        perMinute: deps.config.RATE_LIMIT_PER_MINUTE,
        burst: deps.config.RATE_LIMIT_BURST,
      }),
      now: () => deps.clock.now().getTime(),
    }),
  );

  const limitBody = bodyLimit({
    maxSize: deps.config.REQUEST_BODY_LIMIT_BYTES,
    onError: () => {
      throw new EngineError(
        "PAYLOAD_TOO_LARGE",
        `The body is larger than ${deps.config.REQUEST_BODY_LIMIT_BYTES} bytes ` +
          `(REQUEST_BODY_LIMIT_BYTES); send smaller batches`,
      );
    },
  });
  // GET and HEAD carry no body to limit.
  app.use("*", (c, next) => BODILESS.has(c.req.method) ? next() : limitBody(c, next));

  app.use("*", rejectNulCharacters());

  // The probes first: their literal paths sit beside the health components.
  registerProbeRoutes(app, deps);
  registerStatusRoutes(app, deps);
  registerValidationRoutes(app, deps);
  registerEventRoutes(app, deps);
  registerCustomerRoutes(app, deps);
  registerHealthRoutes(app, deps);
  registerMilestoneRoutes(app, deps);
  registerFactRoutes(app, deps);
  registerRuleRoutes(app, deps);
  registerRuleApprovalRoutes(app, deps);
  registerTemplateRoutes(app, deps);
  registerFiringRoutes(app, deps);
  registerInboxRoutes(app, deps);
  registerCycleRoutes(app, deps);
  registerInterventionRoutes(app, deps);
  registerReportRoutes(app, deps);
  const reportCache = deps.reportCache ?? new ReportCache({ clock: deps.clock });
  registerSuccessReportRoutes(app, deps, reportCache);
  registerRoiReportRoutes(app, deps, reportCache);
  registerMlRoutes(app, deps);
  registerUnsubscribeRoutes(app, deps);
  registerTrackingRoutes(app, deps);
  registerTokenRoutes(app, deps);
  registerPluginRoutes(app, deps);
  registerPluginEventRoutes(app, deps);
  registerAlertRoutes(app, deps);
  registerAuditRoutes(app, deps);
  registerPrivacyRoutes(app, deps);
  registerMeRoutes(app);
  registerMetricsRoutes(app, metrics);

  // Built on the first request, when every route is registered; the same for every request after.
  let document: Record<string, unknown> | undefined;
  app.get("/api/v1/openapi.json", (c) => c.json(document ??= openApiDocument(app)));
  registerDocsRoutes(app);
  app.route(
    "/console",
    createConsole({
      db: deps.db,
      clock: deps.clock,
      config: deps.config,
      log: deps.log,
      // The engine's monitor (main.ts); an app without one (tests) gets its own, as the
      // status routes do.
      health: deps.health ?? createHealthMonitor({
        db: deps.db,
        config: deps.config,
        clock: deps.clock,
        log: deps.log.child({ component: "health" }),
        ...(deps.eventHub ? { eventHub: deps.eventHub } : {}),
        ...(deps.plugins ? { plugins: deps.plugins } : {}),
      }),
      plugins: deps.plugins ?? null,
    }),
  );
  assertEveryRouteHasAccess(app);

  app.onError((error, c) => {
    const engineError = asEngineError(error);
    const requestId = c.get("requestId") ?? "none";
    if (engineError.code === "INTERNAL") {
      deps.log.error("request failed", { requestId, path: c.req.path, error });
    }
    return problemResponse(problemOf(engineError, c.req.path, requestId), {
      ...engineError.headers,
      "X-Request-Id": requestId,
    });
  });

  app.notFound((c) => {
    const requestId = c.get("requestId") ?? "none";
    const allowed = allowedMethods(app, c.req.path);
    const error = allowed.length > 0
      ? new EngineError(
        "METHOD_NOT_ALLOWED",
        `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(" or ")}`,
      )
      : new EngineError(
        "ROUTE_NOT_FOUND",
        `No route ${c.req.method} ${c.req.path}; the API is described at /api/v1/openapi.json`,
      );
    const headers: Record<string, string> = { "X-Request-Id": requestId };
    if (allowed.length > 0) headers.Allow = allowed.join(", ");
    return problemResponse(problemOf(error, c.req.path, requestId), headers);
  });

  return app;
}

/** Refuses to build an API with a route the access table does not cover (fail closed). */
function assertEveryRouteHasAccess(app: Api): void {
  const missing = app.routes
    .filter((route) => route.method !== "ALL")
    .map((route) => `${route.method} ${openApiPath(route.path)}`)
    .filter((key) => !(key in routeAccess));
  if (missing.length > 0) {
    throw new EngineError(
      "INTERNAL",
      `Routes without an entry in engine/api/route_access.ts: ${[...new Set(missing)].join(", ")}`,
    );
  }
}

/** The methods that have a route matching `path`. */
function allowedMethods(app: Api, path: string): string[] {
  const methods = new Set<string>();
  for (const route of app.routes) {
    if (route.method === "ALL") continue;
    const pattern = new RegExp(
      "^" + route.path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/:[^/]+/g, "[^/]+") + "$",
    );
    if (pattern.test(path)) methods.add(route.method);
  }
  return [...methods].sort();
}
