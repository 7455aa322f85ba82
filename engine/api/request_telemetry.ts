/**
 * A span and latency measurements for every API request. Named and labelled
 * by the route pattern (`/api/v1/customers/{id}`), never the raw path, so no
 * customer id reaches a metric label and series stay few.
 */
import type { MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { activeSpan, type EngineMetrics, recordSpanError, traced } from "../ops/mod.ts";
import type { ApiEnv } from "./deps.ts";
import { openApiPath } from "./route_access.ts";

/** The route label of requests that match no route (404, 405). */
export const UNMATCHED_ROUTE = "unmatched";

// Any other method is counted as _OTHER, as OpenTelemetry's HTTP conventions do.
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** The request telemetry middleware; runs after the request id is set. */
export function requestTelemetry(metrics: EngineMetrics): MiddlewareHandler<ApiEnv> {
  return async function recordRequest(c, next) {
    const started = performance.now();
    const method = METHODS.has(c.req.method) ? c.req.method : "_OTHER";
    // Deno.serve's own span for this request, when Deno's OpenTelemetry is on.
    const serverSpan = activeSpan();
    await traced(
      `HTTP ${method}`,
      {
        "http.request.method": method,
        "url.path": c.req.path,
        "cs.request_id": c.get("requestId"),
      },
      async (span) => {
        await next();
        const route = routeOf(c);
        const status = c.res.status;
        span.updateName(`HTTP ${method} ${route}`);
        span.setAttributes({ "http.route": route, "http.response.status_code": status });
        // Hono has turned a thrown error into a problem response by now; keep it on the span.
        if (status >= 500) {
          span.setAttribute("error.type", String(status));
          recordSpanError(span, c.error ?? `HTTP ${status}`);
        }
        if (serverSpan?.isRecording() && route !== UNMATCHED_ROUTE) {
          // Deno names its server span by method alone; its docs ask handlers to add the route.
          serverSpan.updateName(`${method} ${route}`);
          serverSpan.setAttribute("http.route", route);
        }
        const labels = { method, route, status };
        metrics.httpRequests.inc(labels);
        metrics.httpRequestDuration.observe(labels, (performance.now() - started) / 1000);
      },
      { kind: "server" },
    );
  };
}

/** The OpenAPI path of the route that answered, or UNMATCHED_ROUTE. */
function routeOf(c: Parameters<MiddlewareHandler<ApiEnv>>[0]): string {
  // Middleware is registered for every method ("ALL"); routes for one.
  const route = matchedRoutes(c).findLast((r) => r.method !== "ALL");
  return route === undefined ? UNMATCHED_ROUTE : openApiPath(route.path);
}
