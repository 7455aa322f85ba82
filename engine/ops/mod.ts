/**
 * Operations: telemetry (OpenTelemetry traces and metrics, exported by Deno's
 * built-in OpenTelemetry), the metrics registry behind `GET /metrics`, and
 * the spans and measurements around plugin deliveries and channel sends.
 * docs/telemetry.md lists every span and metric. Health checks: named checks
 * per component, run on HEALTH_CHECK_INTERVAL by a monitor whose cached report
 * the health endpoints serve (docs/health-checks.md).
 *
 * @example
 * ```ts
 * const metrics = createEngineMetrics();
 * await traced("health.score", { "cs.batch": 3 }, async (span) => {
 *   span.setAttribute("cs.scored", await scoreBatch());
 * });
 * metrics.ruleFirings.inc({ rule: "low-engagement" });
 * const text = await metrics.registry.render(); // Prometheus text format
 *
 * const health = createHealthMonitor({ db, config, clock, log });
 * health.start();
 * const report = await health.report(); // { status, checkedAt, components: { ml, … } }
 * ```
 */

// Telemetry and metrics.
export {
  activeSpan,
  type Attributes,
  recordSpanError,
  type Span,
  telemetryEnabled,
  traced,
  type TracedOptions,
} from "./otel.ts";
export { relaunchWithTelemetry } from "./otel_relaunch.ts";
export {
  type Counter,
  type Gauge,
  type Histogram,
  type HistogramDefinition,
  type Labels,
  type MetricDefinition,
  MetricsRegistry,
  PROMETHEUS_CONTENT_TYPE,
} from "./metrics.ts";
export {
  createEngineMetrics,
  CYCLE_BUCKETS,
  DELIVERY_BUCKETS,
  type EngineMetrics,
  REQUEST_BUCKETS,
} from "./engine_metrics.ts";
export {
  type ChannelSend,
  type PluginDelivery,
  traceChannelSend,
  tracePluginDelivery,
} from "./delivery.ts";
export {
  describeTelemetry,
  type TelemetrySettings,
  type TelemetryStatus,
} from "./telemetry_status.ts";

// Health checks.
export {
  type CheckContext,
  type CheckOutcome,
  type HealthCheck,
  HealthCheckRegistry,
  type HealthComponent,
  healthComponents,
  type HealthStatus,
  healthStatuses,
  worstStatus,
} from "./health_checks.ts";
export {
  type CheckReport,
  type ComponentReport,
  HealthMonitor,
  type HealthMonitorOptions,
  type HealthReport,
} from "./health_checks_monitor.ts";
export {
  createHealthMonitor,
  type CreateHealthMonitorOptions,
  cycleScheduling,
} from "./health_checks_foundation.ts";
export { CYCLE_START_GRACE_MS, type CycleScheduling } from "./health_checks_interventions.ts";
export { privacyRequestsCheck } from "./health_checks_privacy_requests.ts";
export { watchPrivacyRequests } from "./privacy_metrics.ts";

// Readiness and production validation.
export { Lifecycle, type LifecyclePhase } from "./lifecycle.ts";
export {
  validateProduction,
  type ValidationCheck,
  type ValidationContext,
  validationProblems,
  type ValidationResult,
  type ValidationStatus,
} from "./validation.ts";
