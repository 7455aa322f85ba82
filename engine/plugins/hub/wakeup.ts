/**
 * Waiting that a deliverer can cut short: a NOTIFY wakes it, a stop ends the
 * wait. Timers and listeners are removed when a wait ends, so a long-lived
 * signal does not collect one listener per wait.
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
