/**
 * Client clocks. An offline device's clock can be minutes or years wrong,
 * and what it queued carries that clock's times. Each push says when the
 * client sent it (`client.sentAt`, on the client's clock); the server knows
 * when it arrived. When the two differ by more than the tolerance
 * (EVENT_FUTURE_TOLERANCE_SECONDS), every time in the batch is moved by the
 * difference onto the server's clock, as analytics pipelines do with a
 * `sentAt`. Within the tolerance, times are taken as sent (network delay and
 * small drift are not worth a correction). After that, a time still in the
 * future beyond the tolerance (an item that claims to have happened after it
 * was sent) or older than the retention window is refused, with the reason:
 * nothing is clamped, because a made-up time would feed health scores.
 */
import { DAY_MS } from "../../engine/clock.ts";

/** The batch's clocks, as the answer shows them. */
export interface ClockReading {
  /** The server's time when the batch arrived. */
  serverTime: string;
  /** The client's time when it sent the batch. */
  sentAt: string;
  /** What was added to the client's times (server minus client); 0 when within the tolerance. */
  offsetMs: number;
  /** Whether the batch's times were moved onto the server's clock. */
  corrected: boolean;
}

/** How a batch's times are read. */
export interface BatchClock {
  reading: ClockReading;
  /** A client time on the server's clock. */
  toServer(at: Date): Date;
  /** Why `at` (on the server's clock) cannot be taken, or null when it can. */
  problem(at: Date): string | null;
}

/** The clock of a batch sent at `sentAt` (client time) that arrived at `now`. */
export function batchClock(
  sentAt: Date,
  now: Date,
  limits: { toleranceSeconds: number; retentionDays: number },
): BatchClock {
  const skew = now.getTime() - sentAt.getTime();
  const corrected = Math.abs(skew) > limits.toleranceSeconds * 1000;
  const offsetMs = corrected ? skew : 0;
  return {
    reading: {
      serverTime: now.toISOString(),
      sentAt: sentAt.toISOString(),
      offsetMs,
      corrected,
    },
    toServer: (at) => new Date(at.getTime() + offsetMs),
    problem(at) {
      const ahead = at.getTime() - now.getTime();
      if (ahead > limits.toleranceSeconds * 1000) {
        return `${at.toISOString()} (on the server's clock${
          corrected ? `, after moving the client's times by ${offsetMs} ms` : ""
        }) is ${Math.round(ahead / 1000)} s after the batch arrived, more than the ` +
          `${limits.toleranceSeconds} s tolerated: an item cannot happen after it was sent; ` +
          "check the time the client recorded";
      }
      if (at.getTime() < now.getTime() - limits.retentionDays * DAY_MS) {
        return `${at.toISOString()} (on the server's clock) is older than the ` +
          `${limits.retentionDays}-day retention window (DATA_RETENTION_DAYS); such changes are ` +
          "not kept";
      }
      return null;
    },
  };
}
