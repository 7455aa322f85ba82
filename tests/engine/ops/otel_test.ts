import { assert, assertEquals, assertThrows } from "../../helpers/assert.ts";
import { loadConfig } from "../../../engine/config.ts";
import { EngineError } from "../../../engine/errors.ts";
import { startOtlpCollector } from "../../helpers/otlp_collector.ts";
import { describeTelemetry, telemetryEnabled } from "../../../engine/ops/mod.ts";

const ERROR = 2;

Deno.test("traced() nests spans, records a throw on its span, and starts root spans linked to the caller", async () => {
  const collector = startOtlpCollector();
  try {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("./traced_child.ts", import.meta.url).pathname],
      env: {
        OTEL_DENO: "true",
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_DENO_CONSOLE: "ignore",
      },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(output.code, 0, new TextDecoder().decode(output.stderr));
    assertEquals(JSON.parse(new TextDecoder().decode(output.stdout)), { enabled: true });
    const byName = (name: string) => collector.spans.find((s) => s.name === name);
    const span = (name: string) => collector.waitFor(() => byName(name), `the span ${name}`);
    const outer = await span("outer");
    const inner = await span("inner");
    const detached = await span("detached");
    const fails = await span("fails");

    assertEquals(outer.scope, "customer-success-engine");
    assertEquals(outer.attributes["cs.step"], 1);
    assertEquals([inner.traceId, inner.parentSpanId], [outer.traceId, outer.spanId]);
    assertEquals(outer.status.code ?? 0, 0, "a span that did not throw has no error status");

    assertEquals(fails.parentSpanId, outer.spanId);
    assertEquals([fails.status.code, fails.status.message], [ERROR, "no luck"]);
    const exception = fails.events.find((e) => e.name === "exception");
    assertEquals(exception?.attributes["exception.message"], "no luck");

    assert(detached.traceId !== outer.traceId, "a root span starts a new trace");
    assertEquals(detached.parentSpanId, "");
    assertEquals(detached.links, [{ traceId: outer.traceId, spanId: outer.spanId }]);
  } finally {
    await collector.close();
  }
});

Deno.test({
  name: "without OTEL_DENO no tracer provider is registered, so telemetry is off",
  ignore: Deno.env.get("OTEL_DENO") === "true",
  fn() {
    assertEquals(telemetryEnabled(), false);
  },
});

Deno.test("describeTelemetry says where telemetry goes, and warns when an endpoint is set but Deno's OpenTelemetry is off", () => {
  assertEquals(describeTelemetry({}, false), {
    enabled: false,
    summary: "off (set OTEL_EXPORTER_OTLP_ENDPOINT to export)",
    warning: null,
  });
  const unstarted = describeTelemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel:4318" }, false);
  assertEquals(unstarted.enabled, false);
  assert(unstarted.warning?.startsWith("OTEL_EXPORTER_OTLP_ENDPOINT is set but OTEL_DENO=false"));
  assertEquals(
    describeTelemetry({
      OTEL_EXPORTER_OTLP_ENDPOINT: "https://user:pw@otel.example:4318",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    }, true).summary,
    "OpenTelemetry to https://otel.example:4318 (http/json)",
  );
  assertEquals(
    describeTelemetry({}, true).summary,
    "OpenTelemetry to http://localhost:4318 (http/protobuf; the default: set OTEL_EXPORTER_OTLP_ENDPOINT)",
  );
  assertEquals(
    describeTelemetry({ OTEL_EXPORTER_OTLP_PROTOCOL: "console" }, true).summary,
    "OpenTelemetry to standard error (console)",
  );
});

Deno.test("loadConfig refuses OpenTelemetry settings that Deno would ignore", () => {
  const error = assertThrows(
    () =>
      loadConfig({
        OTEL_DENO: "1",
        OTEL_EXPORTER_OTLP_ENDPOINT: "otel:4318",
        OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
      }),
    EngineError,
  );
  assertEquals(error.issues.map((issue) => issue.path).sort(), [
    "OTEL_DENO",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_PROTOCOL",
  ]);
  const config = loadConfig({
    OTEL_DENO: "true",
    OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel:4318",
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
  });
  assertEquals(
    describeTelemetry(config, true).summary,
    "OpenTelemetry to http://otel:4318 (http/json)",
  );
});
