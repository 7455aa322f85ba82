/**
 * Delivering the event log to the plugins running now. The event hub
 * delivers to a fixed set of subscribers; when a plugin is enabled,
 * disabled or reconfigured, the hub is stopped (running handlers finish or
 * time out, leases are given up) and started again over the new set, which
 * resumes each plugin from its stored cursor. A disabled plugin's events
 * wait in the log: enabled again, it catches up. Plugins delivered live in
 * every engine go on from where the stopped hub left them, so a change to
 * another plugin does not make them miss events; one that was not running
 * starts at the end of the log.
 */
import type { Clock } from "../clock.ts";
import type { Db } from "../db/mod.ts";
import type { Logger } from "../log.ts";
import type { EngineMetrics } from "../ops/mod.ts";
import { EventHub, type EventHubSettings, type EventHubView, type LogPosition } from "./hub/mod.ts";
import type { PluginHost } from "./host.ts";

/** What delivery needs. */
export interface PluginEventsOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  host: PluginHost;
  settings: EventHubSettings;
  metrics?: EngineMetrics;
}

/**
 * The event hub over the host's running plugins, rebuilt when they change;
 * status, dead letters and replays go to the hub delivering now.
 */
export class PluginEvents implements EventHubView {
  readonly #options: PluginEventsOptions;
  // One engine id across rebuilds: a new hub takes over the old one's leases at once.
  readonly #engineId = `${Deno.hostname()}:${Deno.pid}:${crypto.randomUUID().slice(0, 8)}`;
  #hub: EventHub;

  constructor(options: PluginEventsOptions) {
    this.#options = options;
    this.#hub = this.#build();
  }

  /** The subscribed plugins and their event types. */
  get subscribers(): EventHub["subscribers"] {
    return this.#hub.subscribers;
  }

  /** Each subscribed plugin's delivery (durable: lag, failures, dead letters, breaker; live: lag here). */
  status(): ReturnType<EventHub["status"]> {
    return this.#hub.status();
  }

  /** Delivers a plugin's events again from `from`. */
  replay(...args: Parameters<EventHub["replay"]>): ReturnType<EventHub["replay"]> {
    return this.#hub.replay(...args);
  }

  /** Queues a plugin's dead letters for another delivery. */
  replayDeadLetters(
    ...args: Parameters<EventHub["replayDeadLetters"]>
  ): ReturnType<EventHub["replayDeadLetters"]> {
    return this.#hub.replayDeadLetters(...args);
  }

  /** A plugin's dead letters, newest first. */
  deadLetters(...args: Parameters<EventHub["deadLetters"]>): ReturnType<EventHub["deadLetters"]> {
    return this.#hub.deadLetters(...args);
  }

  /** Delivers until `signal` aborts, following the host's changes. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const round = new AbortController();
      const stop = () => round.abort();
      signal.addEventListener("abort", stop, { once: true });
      const unsubscribe = this.#options.host.onChange(stop);
      try {
        const running = this.#hub.run(round.signal);
        // A hub with no subscriber returns at once: wait for a change (or the end) instead.
        await Promise.all([running, aborted(round.signal)]);
      } finally {
        unsubscribe();
        signal.removeEventListener("abort", stop);
      }
      if (!signal.aborted) this.#hub = this.#build(this.#hub.livePositions());
    }
  }

  #build(livePositions?: ReadonlyMap<string, LogPosition>): EventHub {
    const { db, clock, log, settings, metrics, host } = this.#options;
    return new EventHub({
      db,
      clock,
      log: log.child({ component: "event-hub" }),
      subscribers: host.subscribers(),
      settings,
      engineId: this.#engineId,
      ...(metrics ? { metrics } : {}),
      ...(livePositions ? { livePositions } : {}),
    });
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}
