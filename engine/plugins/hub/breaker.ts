/**
 * A plugin's circuit breaker, and the backoff between retries. Pure: time
 * comes in as a monotonic clock (milliseconds), so tests and the deliverer
 * share it and a wall-clock jump never shortens a cooldown.
 */

/** Where a breaker is: events flow, wait for the cooldown, or one probe goes. */
export type BreakerState = "closed" | "open" | "half-open";

/** What a breaker change was, for the log and the stored state. */
export type BreakerChange = "opened" | "closed" | null;

/** Options of a CircuitBreaker. */
export interface BreakerOptions {
  /** Failures in a row that open it. */
  failures: number;
  cooldownMs: number;
  /** Monotonic milliseconds (performance.now by default). */
  now?: () => number;
}

/** Opens after N failures in a row; after a cooldown lets one probe through; closes on its success. */
export class CircuitBreaker {
  readonly #options: BreakerOptions;
  readonly #now: () => number;
  #state: BreakerState;
  #failures: number;
  #openedAt = 0;

  /** A breaker as stored: an open one waits a whole cooldown from now (its engine may have changed). */
  constructor(options: BreakerOptions, stored: { state: BreakerState; failures: number }) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#state = stored.state;
    this.#failures = stored.failures;
    if (stored.state === "open") this.#openedAt = this.#now();
  }

  get state(): BreakerState {
    return this.#state;
  }

  /** Failures in a row so far. */
  get failures(): number {
    return this.#failures;
  }

  /** Milliseconds until an attempt may go: 0 unless open and cooling down. */
  waitMs(): number {
    if (this.#state !== "open") return 0;
    return Math.max(0, this.#openedAt + this.#options.cooldownMs - this.#now());
  }

  /** Before an attempt: an open breaker whose cooldown is over lets this one through as the probe. */
  beforeAttempt(): void {
    if (this.#state === "open" && this.waitMs() === 0) this.#state = "half-open";
  }

  /** A delivered event: resets the count, and a successful probe closes the breaker. */
  succeeded(): BreakerChange {
    this.#failures = 0;
    if (this.#state === "closed") return null;
    this.#state = "closed";
    return "closed";
  }

  /** A failed attempt: a failed probe, or the Nth failure in a row, (re)opens the breaker. */
  failed(): BreakerChange {
    this.#failures++;
    if (this.#state === "closed" && this.#failures < this.#options.failures) return null;
    this.#state = "open";
    this.#openedAt = this.#now();
    return "opened";
  }
}

const MAX_RETRY_DELAY_MS = 60_000;

/** Exponential backoff with jitter: base × 2^(attempt−1), at most a minute, times [0.5, 1). */
export function retryDelayMs(attempt: number, baseMs: number, random: () => number): number {
  const ceiling = Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** (attempt - 1));
  return ceiling * (0.5 + random() / 2);
}
