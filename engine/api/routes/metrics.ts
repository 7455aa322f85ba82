/** `GET /metrics`: the engine's metrics in the Prometheus text format, for scrapers. */
import { createRoute, z } from "@hono/zod-openapi";
import { type EngineMetrics, PROMETHEUS_CONTENT_TYPE } from "../../ops/mod.ts";
import type { Api } from "../deps.ts";

/** Registers the metrics route. */
export function registerMetricsRoutes(app: Api, metrics: EngineMetrics): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/metrics",
      operationId: "getMetrics",
      summary: "Metrics in the Prometheus text format",
      description: "Request latency, cycle durations, rule firings, interventions and plugin " +
        "lag, in the Prometheus text exposition format 0.0.4 (docs/telemetry.md lists them). " +
        "Point a Prometheus scrape job here with a token of a role that has `read:metrics`.",
      tags: ["Operations"],
      responses: {
        200: {
          description: "Every metric, one sample per line",
          content: {
            "text/plain": {
              schema: z.string().openapi({
                example: "# HELP cs_http_requests_total API requests answered, …\n" +
                  "# TYPE cs_http_requests_total counter\n" +
                  'cs_http_requests_total{method="GET",route="/api/v1/customers/{id}",status="200"} 3\n',
              }),
            },
          },
        },
      },
    }),
    async (c) =>
      c.text(await metrics.registry.render(), 200, {
        "Content-Type": PROMETHEUS_CONTENT_TYPE,
        // A scrape must see the current values, never a cached page.
        "Cache-Control": "no-store",
      }),
  );
}
