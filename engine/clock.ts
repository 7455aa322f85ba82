/**
 * Time as an injected source, so scoring windows, event checks and cycles are
 * exact in tests.
 *
 * @example
 * ```ts
 * const clock: Clock = systemClock;
 * clock.now();
 * ```
 */

/** Where the engine reads the current time. */
export interface Clock {
  now(): Date;
}

/** The real clock. */
export const systemClock: Clock = { now: () => new Date() };

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;
