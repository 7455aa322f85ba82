/**
 * Where telemetry goes, for the start banner. Deno reads its OpenTelemetry
 * settings (`OTEL_DENO`, `OTEL_EXPORTER_OTLP_*`) itself when the process
 * starts; Config only checks them. This reports them, and warns when an
 * endpoint is set but Deno's OpenTelemetry is off.
 */
import type { Config } from "../config.ts";
import { telemetryEnabled } from "./otel.ts";

/** What the banner says about telemetry, and a warning when the settings cannot work. */
export interface TelemetryStatus {
  enabled: boolean;
  summary: string;
  warning: string | null;
}

/** The OpenTelemetry settings of the configuration. */
export type TelemetrySettings = Pick<
  Config,
  "OTEL_EXPORTER_OTLP_ENDPOINT" | "OTEL_EXPORTER_OTLP_PROTOCOL"
>;

/** Describes the telemetry settings; `enabled` is whether Deno's OpenTelemetry is on. */
export function describeTelemetry(
  settings: TelemetrySettings,
  enabled: boolean = telemetryEnabled(),
): TelemetryStatus {
  const endpoint = settings.OTEL_EXPORTER_OTLP_ENDPOINT;
  const protocol = settings.OTEL_EXPORTER_OTLP_PROTOCOL ?? "http/protobuf";
  if (!enabled) {
    return {
      enabled,
      summary: "off (set OTEL_EXPORTER_OTLP_ENDPOINT to export)",
      warning: endpoint === undefined ? null : (
        "OTEL_EXPORTER_OTLP_ENDPOINT is set but OTEL_DENO=false turns Deno's OpenTelemetry " +
        "off, so nothing is exported: unset OTEL_DENO or set it to true"
      ),
    };
  }
  if (protocol === "console") {
    return { enabled, summary: "OpenTelemetry to standard error (console)", warning: null };
  }
  return {
    enabled,
    summary: endpoint === undefined
      ? `OpenTelemetry to http://localhost:4318 (${protocol}; the default: set OTEL_EXPORTER_OTLP_ENDPOINT)`
      : `OpenTelemetry to ${withoutCredentials(endpoint)} (${protocol})`,
    warning: null,
  };
}

function withoutCredentials(endpoint: string): string {
  // The banner is printed and logged; a user:password in the URL must not be.
  return endpoint.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1");
}
