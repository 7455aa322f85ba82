/**
 * Where the engine process is in its life, and the requests it is serving.
 * The readiness endpoint answers from the phase: a load balancer sends
 * traffic only to an engine that has started and is not stopping. main.ts
 * moves the phase forward; nothing moves it back.
 *
 * Draining is ours, not Deno.serve's: aborting Deno.serve cuts a request
 * whose body is still arriving (a slow upload), so the engine waits for the
 * requests it tracks to be answered before it stops listening.
 *
 * @example
 * ```ts
 * const lifecycle = new Lifecycle();
 * Deno.serve(lifecycle.track(app.fetch, stoppingResponse));
 * lifecycle.ready();         // after the schedules and workers run
 * lifecycle.stopping();      // first thing on SIGTERM: readiness answers 503
 * await lifecycle.drain();   // after the delay: refuse new requests, answer those in flight
 * ```
 */

/** starting → ready → stopping (readiness 503, requests served) → draining (new ones refused). */
export type LifecyclePhase = "starting" | "ready" | "stopping" | "draining";

/** How long the last responses get to reach their clients before the server stops. */
const LINGER_MS = 250;

type Handler = (request: Request, info: Deno.ServeHandlerInfo) => Response | Promise<Response>;

/** The process's phase and its requests in flight, shared by main.ts and the API. */
export class Lifecycle {
  #phase: LifecyclePhase = "starting";
  #inFlight = 0;
  #idle: (() => void) | null = null;

  /** The current phase. */
  get phase(): LifecyclePhase {
    return this.#phase;
  }

  /** Requests being handled now (their response not yet delivered). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Started: schedules registered, workers running. Ignored once stopping. */
  ready(): void {
    if (this.#phase === "starting") this.#phase = "ready";
  }

  /** Shutting down: readiness turns 503 while requests are still served. */
  stopping(): void {
    if (this.#phase !== "draining") this.#phase = "stopping";
  }

  /**
   * Refuses new requests and resolves once every request in flight has its
   * response delivered, and a moment more: a connection closed right after
   * its last response was written can still lose that response on the
   * client's side (seen with Deno.serve and a streamed request body).
   */
  async drain(): Promise<void> {
    this.#phase = "draining";
    if (this.#inFlight > 0) {
      const { promise, resolve } = Promise.withResolvers<void>();
      this.#idle = resolve;
      await promise;
    }
    await new Promise((resolve) => setTimeout(resolve, LINGER_MS));
  }

  /**
   * `handler`, counted from the request's arrival until its response is
   * delivered (`info.completed`): a handler that has returned may still be
   * sending, and stopping the server then cuts the response off. While
   * draining, new requests get `refuse`'s answer.
   */
  track(handler: Handler, refuse: (request: Request) => Response): Handler {
    return (request, info) => {
      if (this.#phase === "draining") return refuse(request);
      this.#inFlight++;
      // Settles (or rejects, when the client went away) however the handler ends.
      info.completed.catch(() => {}).finally(() => {
        this.#inFlight--;
        if (this.#inFlight === 0) this.#idle?.();
      });
      return handler(request, info);
    };
  }
}
