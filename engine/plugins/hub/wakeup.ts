/**
 * Waiting that a deliverer can cut short: a NOTIFY wakes it, a stop ends the
 * wait. Timers and listeners are removed when a wait ends, so a long-lived
 * signal does not collect one listener per wait. And how long an idle
 * reader waits.
 */

/** Waits `ms`, or less if `signal` aborts; resolves to false when it aborted. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (completed: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      resolve(completed);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener("abort", onAbort);
  });
}

/**
 * A deliverer's doorbell. A ring while nobody waits is kept, so a commit
 * that lands while a batch is being delivered is looked at right after it.
 */
export class Wakeup {
  #rung = false;
  #waiter: (() => void) | undefined;

  /** Wakes the current wait, or the next one. */
  ring(): void {
    if (this.#waiter) this.#waiter();
    else this.#rung = true;
  }

  /** Waits for a ring, `ms`, or `signal`, whichever comes first. */
  wait(ms: number, signal: AbortSignal): Promise<void> {
    if (this.#rung || signal.aborted) {
      this.#rung = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        this.#waiter = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done);
      this.#waiter = done;
    });
  }
}

// Events held back by an open transaction: look again after this, doubling up
// to the poll interval while it stays open.
const HELD_BACK_FIRST_WAIT_MS = 5;

/**
 * How long a reader that found nothing to deliver waits before it looks
 * again: the poll interval, or, while events of its types wait behind an
 * open transaction (whose end need not NOTIFY), 5 ms doubling up to it.
 */
export class IdleWait {
  readonly #pollIntervalMs: number;
  #heldBackWaitMs = HELD_BACK_FIRST_WAIT_MS;

  constructor(pollIntervalMs: number) {
    this.#pollIntervalMs = pollIntervalMs;
  }

  /** The wait after a read that found nothing; `heldBack` from that read. */
  next(heldBack: boolean): number {
    if (!heldBack) {
      this.#heldBackWaitMs = HELD_BACK_FIRST_WAIT_MS;
      return this.#pollIntervalMs;
    }
    const wait = Math.min(this.#heldBackWaitMs, this.#pollIntervalMs);
    this.#heldBackWaitMs = Math.min(this.#heldBackWaitMs * 2, this.#pollIntervalMs);
    return wait;
  }
}
