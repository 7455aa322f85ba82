/**
 * Delivery: a worker claims due sends from the outbox, builds their messages
 * (render), hands each to its channel, and records the results — retrying
 * retriable failures with exponential backoff and jitter, and dead-lettering
 * after DELIVERY_MAX_ATTEMPTS or on a failure retrying cannot fix. Any
 * number of workers in any number of processes can run; a channel that is
 * down only delays its own sends.
 */
import type { Clock } from "../clock.ts";
import type { Db } from "../db/mod.ts";
import type { Logger } from "../log.ts";
import { type Channel, DeliveryError, type OutgoingMessage } from "../plugins/mod.ts";
import { claimDueSends, type ClaimedSend, recordSendResults, type SendResult } from "./outbox.ts";

/** Builds the messages of claimed sends: a message, or why it cannot be built. */
export type MessageBuilder = (
  sends: readonly ClaimedSend[],
) => Promise<Array<OutgoingMessage | { error: string }>>;

/** Settings and parts of a dispatcher. */
export interface DispatcherOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  /** The channel of a kind, if one is registered. */
  channel(kind: string): Channel | undefined;
  build: MessageBuilder;
  /** This worker, as outbox leases record it. */
  worker: string;
  batchSize: number;
  /** Sends in flight at once. */
  concurrency: number;
  maxAttempts: number;
  leaseSeconds: number;
  /** [0, 1): jitter for backoff; Math.random by default. */
  random?: () => number;
  /** Base and ceiling of the backoff, in seconds. */
  backoff?: { baseSeconds: number; maxSeconds: number };
}

/** What one pass did. */
export interface DispatchPass {
  claimed: number;
  sent: number;
  retrying: number;
  dead: number;
  /** Milliseconds claiming, building (render), sending (the slowest channel), recording. */
  timings: { claimMs: number; buildMs: number; sendMs: number; recordMs: number };
}

/** Delivers due sends from the outbox. */
export class Dispatcher {
  readonly #options: DispatcherOptions;

  constructor(options: DispatcherOptions) {
    this.#options = options;
  }

  /** Claims one batch of due sends, sends them, records the results. */
  async runOnce(): Promise<DispatchPass> {
    const { db, clock, batchSize, leaseSeconds, worker } = this.#options;
    const pass: DispatchPass = {
      claimed: 0,
      sent: 0,
      retrying: 0,
      dead: 0,
      timings: { claimMs: 0, buildMs: 0, sendMs: 0, recordMs: 0 },
    };
    let started = performance.now();
    const sends = await claimDueSends(db, {
      worker,
      now: clock.now(),
      limit: batchSize,
      leaseSeconds,
    });
    pass.timings.claimMs = performance.now() - started;
    pass.claimed = sends.length;
    if (sends.length === 0) return pass;
    started = performance.now();
    const messages = await this.#options.build(sends);
    pass.timings.buildMs = performance.now() - started;
    // Each channel sends and records on its own: a channel that is slow or
    // down holds up only its own sends.
    const byChannel = new Map<string, number[]>();
    sends.forEach((send, i) =>
      byChannel.set(send.channel, [...byChannel.get(send.channel) ?? [], i])
    );
    await Promise.all([...byChannel.values()].map(async (indexes) => {
      const sendStarted = performance.now();
      const results = await this.#sendAll(indexes.map((i) => [sends[i]!, messages[i]!] as const));
      pass.timings.sendMs = Math.max(pass.timings.sendMs, performance.now() - sendStarted);
      const recordStarted = performance.now();
      await recordSendResults(db, results, { now: clock.now() });
      pass.timings.recordMs += performance.now() - recordStarted;
      for (const result of results) {
        if (result.outcome === "retry") pass.retrying++;
        else if (result.outcome === "dead") pass.dead++;
        else pass.sent++;
      }
    }));
    return pass;
  }

  /** Runs passes until nothing is due, then waits `idleMs` and looks again, until `signal` aborts. */
  async run(signal: AbortSignal, idleMs = 1_000): Promise<void> {
    while (!signal.aborted) {
      let pass: DispatchPass | null = null;
      try {
        pass = await this.runOnce();
      } catch (error) {
        this.#options.log.error("delivery pass failed; trying again", { error });
      }
      if (pass && pass.claimed === this.#options.batchSize) continue; // More is due.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, idleMs);
        signal.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve();
        }, { once: true });
      });
    }
  }

  async #sendAll(
    work: ReadonlyArray<readonly [ClaimedSend, OutgoingMessage | { error: string }]>,
  ): Promise<SendResult[]> {
    const results: SendResult[] = new Array(work.length);
    let next = 0;
    const lane = async () => {
      while (next < work.length) {
        const i = next++;
        const [send, message] = work[i]!;
        results[i] = await this.#sendOne(send, message);
      }
    };
    const lanes = Math.min(this.#options.concurrency, work.length);
    await Promise.all(Array.from({ length: lanes }, lane));
    return results;
  }

  async #sendOne(
    send: ClaimedSend,
    message: OutgoingMessage | { error: string },
  ): Promise<SendResult> {
    if ("error" in message) return { id: send.id, outcome: "dead", error: message.error };
    const channel = this.#options.channel(send.channel);
    if (!channel) {
      return this.#failure(send, `no "${send.channel}" channel is configured`, true);
    }
    try {
      const receipt = await channel.send(message, { signal: AbortSignal.timeout(30_000) });
      return { id: send.id, outcome: receipt.status, providerMessageId: receipt.providerMessageId };
    } catch (error) {
      const retriable = error instanceof DeliveryError ? error.retriable : true;
      const text = error instanceof Error ? error.message : String(error);
      return this.#failure(send, text, retriable);
    }
  }

  #failure(send: ClaimedSend, error: string, retriable: boolean): SendResult {
    const { maxAttempts, clock, log } = this.#options;
    if (!retriable || send.attempt >= maxAttempts) {
      log.warn("intervention dead-lettered", {
        interventionId: send.id,
        channel: send.channel,
        attempts: send.attempt,
        error,
      });
      return {
        id: send.id,
        outcome: "dead",
        error: retriable ? `${error} (gave up after ${send.attempt} attempts)` : error,
      };
    }
    return {
      id: send.id,
      outcome: "retry",
      error,
      retryAt: this.#retryAt(send.attempt, clock.now()),
    };
  }

  /** Exponential backoff with jitter: base × 2^(attempt−1), capped, times [0.5, 1). */
  #retryAt(attempt: number, now: Date): Date {
    const { baseSeconds, maxSeconds } = this.#options.backoff ??
      { baseSeconds: 30, maxSeconds: 3_600 };
    const ceiling = Math.min(maxSeconds, baseSeconds * 2 ** (attempt - 1));
    const jitter = 0.5 + (this.#options.random ?? Math.random)() / 2;
    return new Date(now.getTime() + ceiling * jitter * 1000);
  }
}
