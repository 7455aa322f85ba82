/** The engine as `deno task start` runs it, exporting to an OTLP/HTTP collector on loopback. */
import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { createTestDbEnv } from "../../helpers/db.ts";
import { startOtlpCollector } from "../../helpers/otlp_collector.ts";
import { startEngine } from "../../helpers/processes.ts";

const SERVER = 2;

Deno.test("with OTEL_EXPORTER_OTLP_ENDPOINT set, deno task start exports spans of requests and cycles, and request metrics", async () => {
  const collector = startOtlpCollector();
  const test = await createTestDbEnv();
  try {
    const engine = await startEngine(
      {
        ...test.env,
        DEMO_DATA: "false",
        // Only the endpoint is needed; the rest makes the test quick and the bodies JSON.
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_BSP_SCHEDULE_DELAY: "100",
        OTEL_METRIC_EXPORT_INTERVAL: "300",
      },
      60_000,
      { viaStartTask: true },
    );
    try {
      const banner = await collector.waitFor(
        () => engine.stdout().includes("Press Ctrl+C") ? engine.stdout() : undefined,
        "(waiting for the start banner)",
      );
      assertMatch(
        banner,
        new RegExp(`telemetry: OpenTelemetry to ${collector.endpoint} \\(http/json\\)`),
      );
      const response = await engine.fetch("/api/v1/customers/sup_0000042", {
        headers: { "x-request-id": "otel-e2e-1" },
      });
      assertEquals(response.status, 404);
      await response.body?.cancel();

      const span = await collector.waitFor(
        () => collector.spans.find((s) => s.attributes["cs.request_id"] === "otel-e2e-1"),
        "the request's span",
      );
      assertEquals(span.name, "HTTP GET /api/v1/customers/{id}");
      assertEquals(span.kind, SERVER);
      assertEquals(span.scope, "customer-success-engine");
      assertEquals(span.attributes["http.request.method"], "GET");
      assertEquals(span.attributes["http.route"], "/api/v1/customers/{id}");
      assertEquals(span.attributes["http.response.status_code"], 404);
      assertEquals(span.attributes["url.path"], "/api/v1/customers/sup_0000042");

      // Deno.serve's own span is the parent, renamed with the route as Deno's docs ask.
      const served = await collector.waitFor(
        () => collector.spans.find((s) => s.spanId === span.parentSpanId),
        "Deno.serve's span",
      );
      assertEquals([served.name, served.kind], ["GET /api/v1/customers/{id}", SERVER]);
      assertEquals(served.attributes["http.route"], "/api/v1/customers/{id}");
      assert(
        collector.resources.some((r) => r["service.name"] === "customer-success-engine"),
        "deno task start names the service",
      );

      const point = await collector.waitFor(
        () =>
          collector.points.find((p) =>
            p.metric === "cs_http_request_duration_seconds" &&
            p.attributes.route === "/api/v1/customers/{id}" && p.attributes.status === 404
          ),
        "the request latency histogram",
      );
      assertEquals([point.unit, point.count], ["s", 1]);
      assertEquals(point.explicitBounds?.slice(0, 3), [0.005, 0.01, 0.025]);

      // A cycle is a root span (it outlives the request), linked to the request that started it.
      const started = await engine.fetch("/api/v1/cycles?wait=true", { method: "POST" });
      assertEquals(started.status, 200);
      const cycleId = (await started.json()).id;
      const cycle = await collector.waitFor(
        () =>
          collector.spans.find((s) =>
            s.name === "cycle" && s.attributes["cs.cycle_id"] === cycleId
          ),
        "the cycle's span",
      );
      assertEquals(cycle.parentSpanId, "");
      assertEquals(cycle.attributes["cs.cycle_trigger"], "api");
      const request = await collector.waitFor(
        () => collector.spans.find((s) => s.name === "HTTP POST /api/v1/cycles"),
        "the span of POST /api/v1/cycles",
      );
      assertEquals(cycle.links.map((l) => l.spanId), [request.spanId]);
      const stages = await collector.waitFor(() => {
        const found = collector.spans.filter((s) => s.parentSpanId === cycle.spanId);
        return found.length === 6 ? found : undefined;
      }, "the stages' spans");
      assertEquals(stages.map((s) => s.name).sort(), [
        "cycle.stage churn",
        "cycle.stage health",
        "cycle.stage interventions",
        "cycle.stage model-monitoring",
        "cycle.stage outcomes",
        "cycle.stage rules",
      ]);

      const exported = JSON.stringify([collector.spans, collector.points]);
      assert(!exported.includes(engine.adminToken), "the bearer token is never exported");
    } finally {
      const stopped = await engine.stop();
      assertEquals(stopped.code, 0, stopped.stderr);
    }
  } finally {
    await test.drop();
    await collector.close();
  }
});
