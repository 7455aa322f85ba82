/**
 * An OpenTelemetry collector on loopback, enough for tests: it accepts
 * OTLP/HTTP with JSON bodies (OTEL_EXPORTER_OTLP_PROTOCOL=http/json) on
 * /v1/traces, /v1/metrics and /v1/logs, and keeps the spans and metric data
 * points it receives, with their attributes flattened.
 */

/** An attribute value as OTLP/JSON writes it. */
type AnyValue = {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
};
type KeyValue = { key: string; value: AnyValue };
type Attrs = Record<string, string | number | boolean | undefined>;

/** A received span. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  scope: string;
  attributes: Attrs;
  status: { code?: number; message?: string };
  events: Array<{ name: string; attributes: Attrs }>;
  links: Array<{ traceId: string; spanId: string }>;
}

/** A received metric data point. */
export interface ReceivedPoint {
  metric: string;
  unit: string;
  attributes: Attrs;
  /** Histograms: count and explicit bounds; sums and gauges: the value. */
  count?: number;
  explicitBounds?: number[];
  value?: number;
}

/** A running collector. */
export interface OtlpCollector {
  /** The value for OTEL_EXPORTER_OTLP_ENDPOINT. */
  endpoint: string;
  spans: ReceivedSpan[];
  points: ReceivedPoint[];
  /** Resource attributes of every export received. */
  resources: Attrs[];
  /** Waits until `find` returns something, polling what arrived; throws after `timeoutMs`. */
  waitFor<T>(find: () => T | undefined, what: string, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

/** Starts a collector on a free loopback port. */
export function startOtlpCollector(): OtlpCollector {
  const spans: ReceivedSpan[] = [];
  const points: ReceivedPoint[] = [];
  const resources: Attrs[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const path = new URL(request.url).pathname;
    const body = await request.json();
    if (path === "/v1/traces") {
      for (const resource of body.resourceSpans ?? []) {
        resources.push(attrs(resource.resource?.attributes));
        for (const scope of resource.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) spans.push(toSpan(span, scope.scope?.name ?? ""));
        }
      }
    } else if (path === "/v1/metrics") {
      for (const resource of body.resourceMetrics ?? []) {
        for (const scope of resource.scopeMetrics ?? []) {
          for (const metric of scope.metrics ?? []) points.push(...toPoints(metric));
        }
      }
    }
    return Response.json({});
  });
  return {
    endpoint: `http://127.0.0.1:${server.addr.port}`,
    spans,
    points,
    resources,
    async waitFor(find, what, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = find();
        if (found !== undefined) return found;
        if (Date.now() > deadline) {
          throw new Error(
            `The collector did not receive ${what} in ${timeoutMs} ms; spans: ${
              JSON.stringify(spans.map((s) => s.name))
            }`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    close: () => server.shutdown(),
  };
}

function value(v: AnyValue | undefined): string | number | boolean | undefined {
  if (v === undefined) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  return v.boolValue;
}

function attrs(list: KeyValue[] | undefined): Attrs {
  return Object.fromEntries((list ?? []).map(({ key, value: v }) => [key, value(v)]));
}

// deno-lint-ignore no-explicit-any
function toSpan(span: any, scope: string): ReceivedSpan {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId ?? "",
    name: span.name,
    kind: span.kind,
    scope,
    attributes: attrs(span.attributes),
    status: span.status ?? {},
    // deno-lint-ignore no-explicit-any
    events: (span.events ?? []).map((e: any) => ({
      name: e.name,
      attributes: attrs(e.attributes),
    })),
    // deno-lint-ignore no-explicit-any
    links: (span.links ?? []).map((l: any) => ({ traceId: l.traceId, spanId: l.spanId })),
  };
}

// deno-lint-ignore no-explicit-any
function toPoints(metric: any): ReceivedPoint[] {
  const base = { metric: metric.name as string, unit: (metric.unit ?? "") as string };
  if (metric.histogram) {
    // deno-lint-ignore no-explicit-any
    return metric.histogram.dataPoints.map((p: any) => ({
      ...base,
      attributes: attrs(p.attributes),
      count: Number(p.count),
      explicitBounds: p.explicitBounds,
    }));
  }
  const data = metric.sum ?? metric.gauge;
  // deno-lint-ignore no-explicit-any
  return (data?.dataPoints ?? []).map((p: any) => ({
    ...base,
    attributes: attrs(p.attributes),
    value: p.asDouble ?? Number(p.asInt),
  }));
}
