/** The event hub's settings, from the configuration (docs/configuration.md, "Event hub"). */
import type { Config } from "../../config.ts";

/** How the hub delivers; tests pass small timings directly. */
export interface EventHubSettings {
  /** Events read per round trip (EVENT_HUB_BATCH_SIZE). */
  batchSize: number;
  /** How long an idle deliverer waits before it looks again without a NOTIFY (EVENT_HUB_POLL_INTERVAL_MS). */
  pollIntervalMs: number;
  /** How long a plugin's deliverer holds it without renewing (EVENT_HUB_LEASE_SECONDS). */
  leaseSeconds: number;
  /** A handler not done by then fails, its signal aborted (PLUGIN_HANDLER_TIMEOUT_MS). */
  handlerTimeoutMs: number;
  /** Attempts at one event, across breaker probes, before it is dead-lettered (PLUGIN_MAX_ATTEMPTS). */
  maxAttempts: number;
  /** The first retry's delay; each next one doubles, up to a minute (PLUGIN_RETRY_BASE_MS). */
  retryBaseMs: number;
  /** Failures in a row that open a plugin's circuit breaker (PLUGIN_BREAKER_FAILURES). */
  breakerFailures: number;
  /** How long an open breaker waits before its probe (PLUGIN_BREAKER_COOLDOWN_SECONDS). */
  breakerCooldownMs: number;
}

/** The hub's settings from the configuration. */
export function eventHubSettings(config: Config): EventHubSettings {
  return {
    batchSize: config.EVENT_HUB_BATCH_SIZE,
    pollIntervalMs: config.EVENT_HUB_POLL_INTERVAL_MS,
    leaseSeconds: config.EVENT_HUB_LEASE_SECONDS,
    handlerTimeoutMs: config.PLUGIN_HANDLER_TIMEOUT_MS,
    maxAttempts: config.PLUGIN_MAX_ATTEMPTS,
    retryBaseMs: config.PLUGIN_RETRY_BASE_MS,
    breakerFailures: config.PLUGIN_BREAKER_FAILURES,
    breakerCooldownMs: config.PLUGIN_BREAKER_COOLDOWN_SECONDS * 1000,
  };
}
