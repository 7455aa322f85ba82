/**
 * The flusher: posts the queue to MARKETING_API_ENDPOINT in batches, on a
 * timer started with the plugin and stopped with it. Each round posts every
 * batch that is due (a batch that failed before and waited its backoff,
 * then new batches while `batchSize` events wait or the oldest has waited
 * `maxWaitMs`), and stops at the first failure: the endpoint is down, and
 * the failed batch goes first when it is back. Rows are marked sent only
 * after a 2xx, so an engine that stops or dies mid-post loses nothing.
 */
import type { Db } from "../../engine/db/mod.ts";
import type { Logger } from "../../engine/log.ts";
import { postJson } from "../../engine/plugins/mod.ts";
import {
  failBatch,
  finishBatch,
  readBatchEvents,
  releaseBatch,
  suppressBatchEvents,
} from "./batch_sql.ts";
import { deleteDone } from "./backlog_sql.ts";
import { signedBatch } from "./body.ts";
import { claimDueBatch, type ClaimedBatch, cutBatch } from "./claim_sql.ts";
import type { MarketingSettings } from "./settings.ts";

/** What one flush did. */
export interface FlushResult {
  /** Batches the endpoint took (2xx). */
  batches: number;
  /** Events in those batches. */
  events: number;
  /** Events dropped because their customer churned or unsubscribed after they were queued. */
  suppressed: number;
  /**
   * Why the flush stopped early (the endpoint failed, or there is no signing
   * secret); null when every due batch went.
   */
  error: string | null;
}

/** What the flusher needs. */
export interface FlusherOptions {
  db: Db;
  settings: MarketingSettings & { endpoint: string };
  log: Logger;
  now: () => Date;
  /** A new batch's idempotency key. */
  newId: () => string;
}

/** A running flusher. */
export interface Flusher {
  /** Posts every due batch now (after a round already running); rejects when the database fails. */
  flush(): Promise<FlushResult>;
  /** Starts the timer: a flush every `flushIntervalMs`. */
  start(): void;
  /** Stops the timer, cancels a post in flight (its batch is given back) and waits for the round. */
  stop(): Promise<void>;
  /** The error of the last round that threw (the database), null once a round went through. */
  lastRoundError(): { message: string; at: Date } | null;
}

const CLEANUP_EVERY_MS = 3_600_000;

/** The flush's error while no signing secret is configured. */
export const NO_SECRET =
  "no signingSecret is configured, so no batch is sent (posts are never unsigned); " +
  "set it with PUT /api/v1/plugins/marketing";

/** Makes the flusher; `start()` starts its timer. */
export function createFlusher(options: FlusherOptions): Flusher {
  const { db, settings, log } = options;
  const owner = `marketing-${options.newId()}`;
  // Long enough for the post and the writes around it; a dead engine's batch waits this long.
  const leaseMs = settings.requestTimeoutMs * 2 + 10_000;
  const cancel = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let round: Promise<unknown> = Promise.resolve();
  let roundError: { message: string; at: Date } | null = null;
  let cleanedAt = 0;

  async function postBatch(batch: ClaimedBatch, secret: string): Promise<FlushResult> {
    const now = options.now();
    const suppressed = await suppressBatchEvents(db, batch.id, {
      unsubscribedChannels: settings.unsubscribedChannels,
      now,
    });
    const events = await readBatchEvents(db, batch.id);
    if (events.length === 0) {
      await finishBatch(db, batch.id, { outcome: "suppressed", now });
      return { batches: 0, events: 0, suppressed, error: null };
    }
    const signed = await signedBatch(batch.idempotencyKey, events, {
      secret,
      sentAt: now,
    });
    try {
      await postJson(settings.endpoint, signed.body, {
        receiver: "the marketing endpoint",
        headers: signed.headers,
        signal: cancel.signal,
        timeoutMs: settings.requestTimeoutMs,
      });
    } catch (error) {
      if (cancel.signal.aborted) {
        await releaseBatch(db, batch.id, owner);
        return { batches: 0, events: 0, suppressed, error: "stopped while posting" };
      }
      const message = error instanceof Error ? error.message : String(error);
      const failedAt = options.now();
      const retryAt = new Date(failedAt.getTime() + backoffMs(batch.attempt));
      await failBatch(db, batch.id, { error: message, now: failedAt, retryAt });
      log.warn("marketing batch not sent; it waits for its retry", {
        batch: batch.idempotencyKey,
        attempt: batch.attempt,
        events: events.length,
        retryAt: retryAt.toISOString(),
        error: message,
      });
      return { batches: 0, events: 0, suppressed, error: message };
    }
    await finishBatch(db, batch.id, { outcome: "sent", now: options.now() });
    log.debug("marketing batch sent", { batch: batch.idempotencyKey, events: events.length });
    return { batches: 1, events: events.length, suppressed, error: null };
  }

  function backoffMs(attempt: number): number {
    return Math.min(settings.retryMaxMs, settings.retryInitialMs * 2 ** (attempt - 1));
  }

  async function claim(): Promise<ClaimedBatch | null> {
    const now = options.now();
    const lease = { now, owner, leaseUntil: new Date(now.getTime() + leaseMs) };
    return await claimDueBatch(db, lease) ??
      await cutBatch(db, {
        ...lease,
        newKey: options.newId,
        batchSize: settings.batchSize,
        maxWaitMs: settings.maxWaitMs,
      });
  }

  async function flushRound(): Promise<FlushResult> {
    const total: FlushResult = { batches: 0, events: 0, suppressed: 0, error: null };
    const secret = settings.signingSecret;
    if (secret === null) return { ...total, error: NO_SECRET };
    while (!cancel.signal.aborted) {
      const batch = await claim();
      if (!batch) break;
      const result = await postBatch(batch, secret);
      total.batches += result.batches;
      total.events += result.events;
      total.suppressed += result.suppressed;
      if (result.error !== null) return { ...total, error: result.error };
    }
    const now = options.now();
    if (now.getTime() - cleanedAt >= CLEANUP_EVERY_MS) {
      await deleteDone(db, new Date(now.getTime() - settings.keepDays * 86_400_000));
      cleanedAt = now.getTime();
    }
    return total;
  }

  function flush(): Promise<FlushResult> {
    // One round at a time in this engine: a round started while another runs follows it.
    const next = round.then(flushRound, flushRound).then(
      (result) => {
        roundError = null;
        return result;
      },
      (error: unknown) => {
        roundError = {
          message: error instanceof Error ? error.message : String(error),
          at: options.now(),
        };
        throw error;
      },
    );
    round = next.catch(() => {});
    return next;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(async () => {
      try {
        await flush();
      } catch (error) {
        log.error("marketing flush failed; the queue is kept and tried again", { error });
      }
      schedule();
    }, settings.flushIntervalMs);
  }

  return {
    flush,
    start: schedule,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      cancel.abort();
      await round;
    },
    lastRoundError: () => roundError,
  };
}
