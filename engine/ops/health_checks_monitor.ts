/**
 * Runs the registered health checks every HEALTH_CHECK_INTERVAL and keeps the
 * last report, so a health request reads a cached answer: it is cheap, and a
 * slow check (each has a timeout) cannot stall it.
 */
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import {
  type CheckOutcome,
  type HealthCheck,
  type HealthCheckRegistry,
  type HealthComponent,
  healthComponents,
  type HealthStatus,
  healthStatuses,
  worstStatus,
} from "./health_checks.ts";

/** One check's result, as the detailed endpoints show it. */
export interface CheckReport {
  name: string;
  status: HealthStatus;
  message: string;
  details: Record<string, unknown>;
  checkedAt: string;
  durationMs: number;
}

/** One component: the worst of its checks, and the messages of those not healthy. */
export interface ComponentReport {
  component: HealthComponent;
  status: HealthStatus;
  reasons: string[];
  checkedAt: string;
  checks: CheckReport[];
}

/** One round of every check. */
export interface HealthReport {
  status: HealthStatus;
  checkedAt: string;
  components: Record<HealthComponent, ComponentReport>;
}

/** Options of a HealthMonitor. */
export interface HealthMonitorOptions {
  registry: HealthCheckRegistry;
  clock: Clock;
  log: Logger;
  /** HEALTH_CHECK_INTERVAL: how often the checks run, in milliseconds. */
  intervalMs: number;
  /** Time limit of a check that does not set its own (default 5 s). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 5_000;

/** Runs the checks on an interval (once started) and serves the latest report. */
export class HealthMonitor {
  readonly #options: HealthMonitorOptions;
  #report: { value: HealthReport; at: number } | null = null;
  #round: Promise<HealthReport> | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: HealthMonitorOptions) {
    this.#options = options;
  }

  /** The checks this monitor runs; a feature registers its own here before the engine starts. */
  get registry(): HealthCheckRegistry {
    return this.#options.registry;
  }

  /** Whether the checks run every interval (`start` was called, `stop` not yet). */
  get running(): boolean {
    return this.#timer !== undefined;
  }

  /** Runs the checks now and then every interval, until `stop`. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.#background(), this.#options.intervalMs);
    this.#background();
  }

  /** Stops the interval and waits for a round in progress. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#round?.catch(() => {});
  }

  /**
   * The latest report. When there is none yet, or it is older than the
   * interval allows (the monitor is not started, as with
   * HEALTH_MONITORING_ENABLED=false), a round runs first.
   */
  async report(): Promise<HealthReport> {
    const { intervalMs } = this.#options;
    const maxAge = this.#timer === undefined ? intervalMs : 2 * intervalMs;
    if (this.#report && performance.now() - this.#report.at < maxAge) return this.#report.value;
    return await this.refresh();
  }

  /** Runs every check now (joining a round already in progress). */
  refresh(): Promise<HealthReport> {
    this.#round ??= this.#runRound().finally(() => this.#round = null);
    return this.#round;
  }

  #background(): void {
    this.refresh().catch((error) => this.#options.log.error("health checks failed", { error }));
  }

  async #runRound(): Promise<HealthReport> {
    const { registry, clock, timeoutMs = DEFAULT_TIMEOUT_MS } = this.#options;
    const now = clock.now();
    const checks = registry.checks();
    const results = await Promise.all(checks.map((check) => runCheck(check, now, timeoutMs)));
    const components = {} as Record<HealthComponent, ComponentReport>;
    for (const component of healthComponents) {
      const reports = results.filter((_, i) => checks[i]!.component === component);
      components[component] = {
        component,
        status: worstStatus(reports.map((r) => r.status)),
        reasons: reports.filter((r) => r.status !== "healthy").map((r) =>
          `${r.name}: ${r.message}`
        ),
        checkedAt: now.toISOString(),
        checks: reports,
      };
    }
    const report: HealthReport = {
      status: worstStatus(Object.values(components).map((c) => c.status)),
      checkedAt: now.toISOString(),
      components,
    };
    this.#logChanges(this.#report?.value ?? null, report);
    this.#report = { value: report, at: performance.now() };
    return report;
  }

  /** A line per component whose status changed, so the log tells when trouble began and ended. */
  #logChanges(before: HealthReport | null, after: HealthReport): void {
    for (const component of healthComponents) {
      const from = before?.components[component].status ?? null;
      const { status: to, reasons } = after.components[component];
      if (from === to) continue;
      // The first round states how things are; only getting worse afterwards is a warning.
      const worse = from === null
        ? to === "unhealthy"
        : healthStatuses.indexOf(to) > healthStatuses.indexOf(from);
      this.#options.log[worse ? "warn" : "info"]("component health changed", {
        component,
        from,
        to,
        reasons,
      });
    }
  }
}

/** Runs one check within its time limit; a check that throws or is late is unhealthy. */
async function runCheck(check: HealthCheck, now: Date, defaultTimeoutMs: number) {
  const timeoutMs = check.timeoutMs ?? defaultTimeoutMs;
  const controller = new AbortController();
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<CheckOutcome>((resolve) => {
    timer = setTimeout(() => {
      // Settled before the abort, so a check that rejects on abort does not win the race.
      resolve({
        status: "unhealthy",
        message: `The check did not answer within ${timeoutMs} ms`,
      });
      controller.abort();
    }, timeoutMs);
  });
  let outcome: CheckOutcome;
  try {
    const running = check.run({ now, signal: controller.signal });
    // A check that fails after its time is up must not become an unhandled rejection.
    running.catch(() => {});
    outcome = await Promise.race([running, late]);
  } catch (error) {
    outcome = {
      status: "unhealthy",
      message: `The check failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  } finally {
    clearTimeout(timer);
  }
  const report: CheckReport = {
    name: check.name,
    status: outcome.status,
    message: outcome.message,
    details: outcome.details ?? {},
    checkedAt: now.toISOString(),
    durationMs: Math.round((performance.now() - started) * 10) / 10,
  };
  return report;
}
