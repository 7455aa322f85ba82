/**
 * One plugin's deliverer: takes the plugin's lease (one deliverer per
 * plugin across every engine), then reads the log from the plugin's cursor
 * and hands it the events of its types one at a time, in log order. A
 * failure is retried with backoff; failures in a row open the plugin's
 * circuit breaker, and events wait in the log until a probe gets through. An
 * event that keeps failing, or that the handler refuses, is dead-lettered and
 * the cursor moves on. The cursor is written after each batch and at each
 * failure: a crash delivers the rest of a batch again (at least once).
 */
import type { Clock } from "../../clock.ts";
import type { Db } from "../../db/mod.ts";
import type { Logger } from "../../log.ts";
import type { EngineMetrics } from "../../ops/mod.ts";
import type { EventSubscriber } from "../subscriber.ts";
import { CircuitBreaker, retryDelayMs } from "./breaker.ts";
import { deleteRedelivery, insertDeadLetter } from "./dead_letters_sql.ts";
import { callHandler, type CallOutcome } from "./handler_call.ts";
import { LeaseKeeper } from "./lease_keeper.ts";
import { acquireLease, type LeaseRequest, releaseLease, saveDeliveryState } from "./plugins_sql.ts";
import { type Batch, readBatch, readRedeliveries } from "./read_sql.ts";
import type { EventHubSettings } from "./settings.ts";
import { type DeliveryCounts, type DeliveryState, isAfter, type LogEvent } from "./state.ts";
import { IdleWait, sleep, type Wakeup } from "./wakeup.ts";

/** What a deliverer needs. */
export interface DelivererOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  metrics: EngineMetrics;
  subscriber: EventSubscriber;
  settings: EventHubSettings;
  /** This engine, as the lease records it. */
  holder: string;
  /** Rung on every NOTIFY of event_log. */
  wakeup: Wakeup;
  /** [0, 1): jitter of the backoff. */
  random: () => number;
  /** Resolves once the hub's plugins are registered (`event_hub_plugins`). */
  registered: () => Promise<void>;
}

/** How one event's delivery ended. */
type EventOutcome = "delivered" | "dead-lettered" | "stopped" | "refused";

/** Where an event came from: the log (the cursor moves) or a dead letter's replay. */
type Source = "log" | "redelivery";

// With nothing of its types to deliver, the cursor moves past others' events
// at most this often: one write a second, however busy the log.
const PASS_OVER_SAVE_MS = 1_000;

const noCounts = (): DeliveryCounts => ({ delivered: 0, failed: 0, deadLettered: 0 });

/** Delivers the log to one plugin until stopped. */
export class PluginDeliverer {
  readonly #o: DelivererOptions;
  readonly #log: Logger;
  #state!: DeliveryState;
  #breaker!: CircuitBreaker;
  #counts = noCounts();
  #savedAt = 0;
  readonly #idle: IdleWait;

  constructor(options: DelivererOptions) {
    this.#o = options;
    this.#idle = new IdleWait(options.settings.pollIntervalMs);
    this.#log = options.log.child({ plugin: options.subscriber.name });
  }

  /**
   * Delivers until `stop` aborts; a handler running then finishes (or times
   * out) first. Then gives the lease up, so another engine takes over at once.
   */
  async run(stop: AbortSignal): Promise<void> {
    const { db, settings } = this.#o;
    while (!stop.aborted) {
      try {
        await this.#o.registered();
        const state = await acquireLease(db, this.#lease());
        if (state === null) {
          // Another engine delivers; look again well within its lease.
          await sleep(Math.max(settings.pollIntervalMs, settings.leaseSeconds * 333), stop);
          continue;
        }
        this.#log.debug("delivering events to the plugin");
        await this.#deliverWhileHeld(state, stop);
      } catch (error) {
        this.#log.error("delivering events to the plugin failed; trying again", { error });
        await sleep(settings.pollIntervalMs, stop);
      }
    }
    await releaseLease(db, { plugin: this.#name, holder: this.#o.holder }).catch((error) =>
      this.#log.warn("giving up the plugin's delivery lease failed; it runs out by itself", {
        error,
      })
    );
  }

  get #name(): string {
    return this.#o.subscriber.name;
  }

  #lease(): LeaseRequest {
    return {
      plugin: this.#name,
      holder: this.#o.holder,
      now: this.#o.clock.now(),
      leaseSeconds: this.#o.settings.leaseSeconds,
    };
  }

  async #deliverWhileHeld(initial: DeliveryState, stop: AbortSignal): Promise<void> {
    const { db, clock, log, settings, wakeup } = this.#o;
    const keeper = new LeaseKeeper({
      db,
      clock,
      log,
      plugin: this.#name,
      holder: this.#o.holder,
      leaseSeconds: settings.leaseSeconds,
    });
    const signal = AbortSignal.any([stop, keeper.lost]);
    this.#state = initial;
    this.#counts = noCounts();
    this.#breaker = new CircuitBreaker(
      { failures: settings.breakerFailures, cooldownMs: settings.breakerCooldownMs },
      { state: initial.breaker, failures: initial.consecutiveFailures },
    );
    try {
      while (!signal.aborted) {
        const batch = await readBatch(db, {
          plugin: this.#name,
          holder: this.#o.holder,
          limit: settings.batchSize,
        });
        if (batch === null) return; // Another engine holds the plugin now.
        this.#follow(batch);
        if (batch.redeliveries) {
          await this.#redeliver(signal);
          continue;
        }
        if (batch.events.length === 0) {
          await this.#passOver(batch);
          await wakeup.wait(this.#idle.next(batch.heldBack), signal);
          continue;
        }
        const whole = await this.#deliverAll(batch.events, "log", signal);
        // A batch shorter than the limit held every event of its types below
        // the horizon: the cursor may skip the others' events up to it.
        if (whole && batch.events.length < settings.batchSize) this.#moveTo(batch);
        await this.#save();
      }
    } finally {
      await keeper.stop();
    }
  }

  /** Takes the stored cursor: a replay may have moved it since the last write. */
  #follow(batch: Batch): void {
    if (batch.generation !== this.#state.generation) {
      this.#state.generation = batch.generation;
      this.#state.head = null;
    }
    this.#state.cursor = batch.cursor;
  }

  #moveTo(batch: Batch): void {
    if (isAfter(batch.horizon, this.#state.cursor)) this.#state.cursor = batch.horizon;
  }

  async #passOver(batch: Batch): Promise<void> {
    if (!isAfter(batch.horizon, this.#state.cursor)) return;
    if (performance.now() - this.#savedAt < PASS_OVER_SAVE_MS) return;
    this.#moveTo(batch);
    await this.#save();
  }

  async #redeliver(signal: AbortSignal): Promise<void> {
    const items = await readRedeliveries(this.#o.db, {
      plugin: this.#name,
      limit: this.#o.settings.batchSize,
    });
    await this.#deliverAll(items, "redelivery", signal);
    await this.#save();
  }

  /** Delivers `items` in order; false when it stopped before the last. */
  async #deliverAll(
    items: readonly LogEvent[],
    source: Source,
    signal: AbortSignal,
  ): Promise<boolean> {
    for (const item of items) {
      if (signal.aborted) return false;
      const outcome = await this.#deliverOne(item, source, signal);
      if (outcome === "stopped" || outcome === "refused") return false;
    }
    return true;
  }

  async #deliverOne(item: LogEvent, source: Source, signal: AbortSignal): Promise<EventOutcome> {
    const { subscriber, settings, metrics, clock } = this.#o;
    const state = this.#state;
    let attempts = state.head?.eventId === item.event.id ? state.head.attempts : 0;
    while (true) {
      // An open breaker holds the event (and every later one) until its cooldown is over
      // (a timer may fire a little early by performance.now(): wait out the rest too).
      for (let cooldown = this.#breaker.waitMs(); cooldown > 0; cooldown = this.#breaker.waitMs()) {
        if (!(await sleep(cooldown, signal))) return "stopped";
      }
      if (signal.aborted) return "stopped";
      this.#breaker.beforeAttempt();
      attempts++;
      const outcome = await callHandler(subscriber, item.event, {
        timeoutMs: settings.handlerTimeoutMs,
        metrics,
      });
      const now = clock.now();
      if (outcome.ok) {
        this.#breakerChanged(this.#breaker.succeeded(), now);
        state.head = null;
        state.lastDelivered = { eventId: item.event.id, at: now };
        this.#counts.delivered++;
        if (source === "log") state.cursor = item.position;
        else await deleteRedelivery(this.#o.db, this.#name, item.event.id);
        return "delivered";
      }
      this.#counts.failed++;
      state.lastError = outcome.error;
      state.lastErrorAt = now;
      // A handler that refuses the event answered: the plugin works, the event is bad.
      this.#breakerChanged(
        outcome.retriable ? this.#breaker.failed() : this.#breaker.succeeded(),
        now,
        outcome.error,
      );
      if (!outcome.retriable || attempts >= settings.maxAttempts) {
        return await this.#deadLetter(item, source, attempts, outcome);
      }
      state.head = { eventId: item.event.id, attempts };
      this.#log.warn("the plugin failed on an event; it is retried", {
        eventId: item.event.id,
        attempts,
        error: outcome.error,
      });
      if (!(await this.#save())) return "refused";
      if (this.#breaker.state === "open") continue; // The cooldown is the wait.
      const delay = retryDelayMs(attempts, settings.retryBaseMs, this.#o.random);
      if (!(await sleep(delay, signal))) return "stopped";
    }
  }

  #breakerChanged(change: "opened" | "closed" | null, now: Date, error?: string): void {
    const state = this.#state;
    state.breaker = this.#breaker.state;
    state.consecutiveFailures = this.#breaker.failures;
    if (change === "opened") {
      state.breakerOpenedAt = now;
      this.#log.warn("circuit breaker opened: events wait in the log until a probe succeeds", {
        failures: this.#breaker.failures,
        cooldownMs: this.#o.settings.breakerCooldownMs,
        error,
      });
    } else if (change === "closed") {
      state.breakerOpenedAt = null;
      this.#log.info("circuit breaker closed: the probe was delivered");
    }
  }

  /** Records the dead letter and moves past the event, in one transaction. */
  async #deadLetter(
    item: LogEvent,
    source: Source,
    attempts: number,
    outcome: Extract<CallOutcome, { ok: false }>,
  ): Promise<EventOutcome> {
    const { db, clock } = this.#o;
    const state = this.#state;
    state.head = null;
    if (source === "log") state.cursor = item.position;
    this.#counts.deadLettered++;
    const lastError = outcome.retriable
      ? `${outcome.error} (gave up after ${attempts} attempts)`
      : outcome.error;
    const saved = await db.transaction(async (tx) => {
      await insertDeadLetter(tx, {
        plugin: this.#name,
        eventId: item.event.id,
        attempts,
        lastError,
        failedAt: clock.now(),
      });
      if (source === "redelivery") await deleteRedelivery(tx, this.#name, item.event.id);
      const held = await saveDeliveryState(tx, this.#lease(), state, this.#counts);
      // Not ours to record: another engine delivers, or a replay moved the cursor.
      if (!held) throw new StateRefused();
    }).then(() => true, (error) => {
      if (error instanceof StateRefused) return false;
      throw error;
    });
    this.#counts = noCounts();
    if (!saved) return "refused";
    this.#savedAt = performance.now();
    this.#log.warn("event dead-lettered: the plugin failed on it for good", {
      eventId: item.event.id,
      eventType: item.event.type,
      attempts,
      error: lastError,
    });
    return "dead-lettered";
  }

  /** Writes the state; false when refused (the next read takes the stored state). */
  async #save(): Promise<boolean> {
    const saved = await saveDeliveryState(this.#o.db, this.#lease(), this.#state, this.#counts);
    this.#counts = noCounts();
    this.#savedAt = performance.now();
    return saved;
  }
}

/** A write of the delivery state was refused; rolls its transaction back. */
class StateRefused extends Error {}
