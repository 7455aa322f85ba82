/**
 * One `every-engine` plugin's deliverer in this engine: a live feed. Every
 * engine runs its own, with its position in the log kept in memory from
 * where the log ended when it started, so each engine sees every event and
 * none takes a lease or writes a cursor. It reads with the durable path's
 * reader (never skipping an event committed late under a lower id), wakes on
 * the same NOTIFY and polls the same way, and calls the handler one event at
 * a time in log order. A failed call is logged, counted and skipped: a live
 * view wants the next event, not a retry of a stale one, and a restart simply
 * starts again at the end of the log.
 */
import type { Clock } from "../../clock.ts";
import type { Db } from "../../db/mod.ts";
import type { Logger } from "../../log.ts";
import type { EngineMetrics } from "../../ops/mod.ts";
import type { EventSubscriber, PluginEvent } from "../subscriber.ts";
import { callHandler } from "./handler_call.ts";
import { logEnd, readAfter } from "./read_sql.ts";
import type { EventHubSettings } from "./settings.ts";
import { isAfter, type LogPosition } from "./state.ts";
import { IdleWait, sleep, type Wakeup } from "./wakeup.ts";

/** What a live deliverer needs. */
export interface LiveDelivererOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  metrics: EngineMetrics;
  subscriber: EventSubscriber;
  settings: EventHubSettings;
  /** Rung on every NOTIFY of event_log. */
  wakeup: Wakeup;
  /**
   * Where to go on from instead of the end of the log: the position of the
   * deliverer this one replaces (the hub was rebuilt for another plugin's change).
   */
  resumeAt?: LogPosition | undefined;
}

/** What a live deliverer has done in this engine, for the hub's status. */
export interface LiveDeliveryState {
  /** Its place in the log; null until it has taken one. */
  position: LogPosition | null;
  /** When it took its place; null until then. */
  since: Date | null;
  delivered: number;
  /** Calls that failed (each event skipped). */
  failed: number;
  /** Calls that failed since the last one that did not: the plugin fails now. */
  consecutiveFailures: number;
  lastDelivered: { eventId: number; at: Date } | null;
  lastError: string | null;
  lastErrorAt: Date | null;
}

/** Delivers the log as it grows to one plugin in this engine, until stopped. */
export class LiveDeliverer {
  readonly #o: LiveDelivererOptions;
  readonly #log: Logger;
  readonly #idle: IdleWait;
  readonly #state: LiveDeliveryState = {
    position: null,
    since: null,
    delivered: 0,
    failed: 0,
    consecutiveFailures: 0,
    lastDelivered: null,
    lastError: null,
    lastErrorAt: null,
  };

  constructor(options: LiveDelivererOptions) {
    this.#o = options;
    this.#log = options.log.child({ plugin: options.subscriber.name, delivery: "every-engine" });
    this.#idle = new IdleWait(options.settings.pollIntervalMs);
  }

  /** What it has done so far (a copy). */
  get state(): LiveDeliveryState {
    return { ...this.#state };
  }

  /** Delivers until `stop` aborts; a handler running then finishes (or times out) first. */
  async run(stop: AbortSignal): Promise<void> {
    const { db, clock, settings, subscriber, wakeup } = this.#o;
    while (!stop.aborted) {
      try {
        if (this.#state.position === null) {
          this.#state.position = this.#o.resumeAt ?? await logEnd(db);
          this.#state.since = clock.now();
          this.#log.debug("delivering events to the plugin live, in this engine");
        }
        const window = await readAfter(db, {
          after: this.#state.position,
          types: subscriber.types,
          limit: settings.batchSize,
        });
        for (const item of window.events) {
          if (stop.aborted) return;
          await this.#deliver(item.event);
          this.#state.position = item.position;
        }
        // A short read held every event of its types below the horizon, so
        // the others' events up to it need not be read again. In memory this
        // costs nothing: unlike the durable cursor, there is no write to spare.
        if (window.events.length < settings.batchSize) this.#moveTo(window.horizon);
        if (window.events.length === 0) await wakeup.wait(this.#idle.next(window.heldBack), stop);
      } catch (error) {
        this.#log.error("reading the event log for the plugin failed; trying again", { error });
        await sleep(settings.pollIntervalMs, stop);
      }
    }
  }

  #moveTo(horizon: LogPosition): void {
    if (this.#state.position === null || isAfter(horizon, this.#state.position)) {
      this.#state.position = horizon;
    }
  }

  async #deliver(event: PluginEvent): Promise<void> {
    const { subscriber, settings, metrics, clock } = this.#o;
    const outcome = await callHandler(subscriber, event, {
      timeoutMs: settings.handlerTimeoutMs,
      metrics,
    });
    const now = clock.now();
    if (outcome.ok) {
      this.#state.delivered++;
      this.#state.consecutiveFailures = 0;
      this.#state.lastDelivered = { eventId: event.id, at: now };
      return;
    }
    this.#state.failed++;
    this.#state.consecutiveFailures++;
    this.#state.lastError = outcome.error;
    this.#state.lastErrorAt = now;
    this.#log.warn("the plugin failed on an event; it is skipped (every-engine delivery)", {
      eventId: event.id,
      eventType: event.type,
      error: outcome.error,
    });
  }
}
