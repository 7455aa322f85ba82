/**
 * Traces and metrics on `@opentelemetry/api`, the one module that imports it
 * (STYLE.md §11). Deno's built-in OpenTelemetry registers its tracer and
 * meter providers with this API when the process starts with
 * `OTEL_DENO=true` (`deno task start` sets it, see docs/telemetry.md), and
 * exports to `OTEL_EXPORTER_OTLP_ENDPOINT`. Without it every span and
 * instrument here is a no-op that costs next to nothing.
 */
import {
  type Attributes,
  INVALID_SPAN_CONTEXT,
  type Link,
  type Meter,
  metrics,
  ProxyTracerProvider,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";

export type { Attributes, Meter, Span };

const SCOPE = "customer-success-engine";

/** The engine's tracer. */
export const tracer = trace.getTracer(SCOPE);

/** The engine's meter. */
export const meter: Meter = metrics.getMeter(SCOPE);

/** Options of `traced`. */
export interface TracedOptions {
  /** The span kind; `internal` unless the span is a request the engine serves or makes. */
  kind?: "internal" | "server" | "client" | "producer" | "consumer";
  /**
   * Start a new trace instead of a child of the active span, linked to it.
   * For work that outlives its caller, such as a cycle a request started.
   */
  root?: boolean;
}

const kinds = {
  internal: SpanKind.INTERNAL,
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
} as const;

/**
 * Runs `fn` in a new active span named `name`: spans started inside are its
 * children. A throw is recorded on the span (exception event, status ERROR)
 * and rethrown; the span ends either way.
 */
export async function traced<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T> | T,
  options: TracedOptions = {},
): Promise<T> {
  // Off, the API would still build a no-op span and context per call: a few
  // per cent of a health read's CPU (bench/README.md, "API load").
  if (!telemetryEnabled()) return await fn(NOT_RECORDING);
  const links: Link[] = [];
  const parent = trace.getActiveSpan()?.spanContext();
  if (options.root && parent && trace.isSpanContextValid(parent)) links.push({ context: parent });
  return await tracer.startActiveSpan(
    name,
    { kind: kinds[options.kind ?? "internal"], attributes, links, root: options.root ?? false },
    async (span) => {
      try {
        return await fn(span);
      } catch (error) {
        recordSpanError(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

// The span `traced` hands out while telemetry is off: records nothing.
const NOT_RECORDING = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** Records `error` on `span` as an exception event and sets its status to ERROR. */
export function recordSpanError(span: Span, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error) span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/** The span active where this is called (Deno.serve's request span, say), if any. */
export function activeSpan(): Span | undefined {
  return trace.getActiveSpan();
}

/**
 * True when a tracer provider is registered, i.e. Deno's OpenTelemetry is on
 * (`OTEL_DENO=true` at process start); spans and metrics are exported then.
 */
export function telemetryEnabled(): boolean {
  // With no provider registered the API hands out its proxy, which delegates to a no-op.
  return !(trace.getTracerProvider() instanceof ProxyTracerProvider);
}
