/**
 * Health checks: named checks of the engine's components, each answering
 * healthy, degraded or unhealthy with a sentence saying why. Features register
 * their checks here; the monitor (health_checks_monitor.ts) runs them on an
 * interval and the health endpoints serve its cached report.
 */
import { EngineError } from "../errors.ts";

/** How well a check, a component or the engine works, best first. */
export type HealthStatus = "healthy" | "degraded" | "unhealthy";

/** Every health status, best first. */
export const healthStatuses = ["healthy", "degraded", "unhealthy"] as const satisfies readonly [
  HealthStatus,
  ...HealthStatus[],
];

/**
 * The components with a health endpoint: the seed's four, and `engine` for
 * what every component stands on (the database).
 */
export const healthComponents = [
  "engine",
  "ml",
  "interventions",
  "integrations",
  "privacy",
] as const;

/** A component with a health endpoint. */
export type HealthComponent = (typeof healthComponents)[number];

/** What a check found. */
export interface CheckOutcome {
  status: HealthStatus;
  /** One sentence a person can act on: what is true, and for a problem what to do. */
  message: string;
  /** Facts behind the status (versions, times, counts); JSON values, never secrets. */
  details?: Record<string, unknown>;
}

/** What a check gets while it runs. */
export interface CheckContext {
  /** The time of this round of checks. */
  now: Date;
  /** Aborted when the check's time is up; long work should stop then. */
  signal: AbortSignal;
}

/** A named check of one component. */
export interface HealthCheck {
  /** Unique within its component, kebab-case: `database`, `churn-model`. */
  name: string;
  component: HealthComponent;
  /** How long the check may take before it counts as unhealthy (default 5 s). */
  timeoutMs?: number;
  run(ctx: CheckContext): Promise<CheckOutcome>;
}

/** The worst of `statuses` (healthy for none). */
export function worstStatus(statuses: Iterable<HealthStatus>): HealthStatus {
  let worst = 0;
  for (const status of statuses) worst = Math.max(worst, healthStatuses.indexOf(status));
  return healthStatuses[worst]!;
}

const CHECK_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** The checks the monitor runs; later features add theirs with `register`. */
export class HealthCheckRegistry {
  readonly #checks = new Map<string, HealthCheck>();

  /** Adds a check; throws HEALTH_CHECK_INVALID on a bad or duplicate name or component. */
  register(check: HealthCheck): this {
    const key = `${check.component}.${check.name}`;
    if (!(healthComponents as readonly string[]).includes(check.component)) {
      throw new EngineError(
        "HEALTH_CHECK_INVALID",
        `Cannot register health check "${check.name}": unknown component "${check.component}" ` +
          `(use one of ${healthComponents.join(", ")})`,
      );
    }
    if (!CHECK_NAME.test(check.name)) {
      throw new EngineError(
        "HEALTH_CHECK_INVALID",
        `Cannot register health check "${check.name}": use a kebab-case name like "churn-model"`,
      );
    }
    if (this.#checks.has(key)) {
      throw new EngineError(
        "HEALTH_CHECK_INVALID",
        `Cannot register health check "${key}": a check with that name is already registered`,
      );
    }
    this.#checks.set(key, check);
    return this;
  }

  /** The registered checks, in registration order. */
  checks(): HealthCheck[] {
    return [...this.#checks.values()];
  }
}

/** A duration as a person reads it: "45 s", "12 min", "3 h 5 min", "4 days". */
export function describeAge(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days`;
}
