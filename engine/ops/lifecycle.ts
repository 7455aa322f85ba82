/**
 * Where the engine process is in its life, for the readiness endpoint: a load
 * balancer sends traffic only to an engine that has finished starting and is
 * not stopping. main.ts moves it forward; nothing moves it back.
 *
 * @example
 * ```ts
 * const lifecycle = new Lifecycle();
 * lifecycle.ready();    // after the schedules and workers run
 * lifecycle.stopping(); // first thing on SIGTERM: readiness answers 503 from now on
 * ```
 */

/** starting → ready → stopping. */
export type LifecyclePhase = "starting" | "ready" | "stopping";

/** The process's phase, shared by main.ts and the readiness endpoint. */
export class Lifecycle {
  #phase: LifecyclePhase = "starting";

  /** The current phase. */
  get phase(): LifecyclePhase {
    return this.#phase;
  }

  /** Started: schedules registered, workers running. Ignored once stopping. */
  ready(): void {
    if (this.#phase === "starting") this.#phase = "ready";
  }

  /** Shutting down: readiness turns 503 before anything stops. */
  stopping(): void {
    this.#phase = "stopping";
  }
}
