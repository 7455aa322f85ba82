/**
 * The event hub: delivers the event log to every subscribed plugin, each on
 * its own deliverer (a failing or hanging plugin delays only itself), woken
 * by NOTIFY on each commit and polling as a fallback. It also answers for
 * the plugins' delivery: status, dead letters, replays.
 */
import type { Clock } from "../../clock.ts";
import type { Db } from "../../db/mod.ts";
import { EngineError } from "../../errors.ts";
import { domainEventTypes } from "../../events/mod.ts";
import type { Logger } from "../../log.ts";
import { createEngineMetrics, type EngineMetrics, type MetricsRegistry } from "../../ops/mod.ts";
import type { EventSubscriber } from "../subscriber.ts";
import { type DeadLetter, type DeadLetterQuery, listDeadLetters } from "./dead_letters_sql.ts";
import { PluginDeliverer } from "./deliverer.ts";
import { registerPlugins, type StartAt } from "./plugins_sql.ts";
import {
  type ReplayChange,
  replayDeadLetters,
  replayEvents,
  type ReplayFrom,
  type ReplayResult,
} from "./replay.ts";
import type { EventHubSettings } from "./settings.ts";
import { type PluginDeliveryStatus, pluginDeliveryStatus } from "./status_sql.ts";
import { Wakeup } from "./wakeup.ts";

/** The channel event_log's trigger notifies on each commit that appended events. */
export const EVENT_LOG_CHANNEL = "event_log";

/** What an EventHub needs. */
export interface EventHubOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  subscribers: readonly EventSubscriber[];
  settings: EventHubSettings;
  /** Where delivery counts and durations go; a new set when not given. */
  metrics?: EngineMetrics;
  /** This engine process, as leases record it; unique by default. */
  engineId?: string;
  /** Wake on NOTIFY (default true); false polls only, every `settings.pollIntervalMs`. */
  listen?: boolean;
  /**
   * Where a plugin the database has never seen starts: at the `end` of the
   * log (the default: history comes by replay) or at its `beginning`.
   */
  startAt?: StartAt;
  /** [0, 1): jitter of retry backoff; Math.random by default. */
  random?: () => number;
}

/** What the API and the health checks use of a hub. */
export type EventHubView = Pick<
  EventHub,
  "status" | "subscribers" | "replay" | "replayDeadLetters" | "deadLetters"
>;

/** Delivers domain events to plugins, at least once, in log order per plugin. */
export class EventHub {
  readonly #options: EventHubOptions;
  readonly #subscribers: ReadonlyMap<string, EventSubscriber>;
  readonly #wakeups = new Map<string, Wakeup>();
  readonly #engineId: string;
  readonly #metrics: EngineMetrics;
  #registered: Promise<void> | undefined;
  #running = false;

  /** Checks the subscribers; throws PLUGIN_INVALID on a duplicate name or an unknown event type. */
  constructor(options: EventHubOptions) {
    this.#options = options;
    this.#subscribers = checkSubscribers(options.subscribers);
    this.#metrics = options.metrics ?? createEngineMetrics();
    this.#engineId = options.engineId ??
      `${Deno.hostname()}:${Deno.pid}:${crypto.randomUUID().slice(0, 8)}`;
    for (const name of this.#subscribers.keys()) this.#wakeups.set(name, new Wakeup());
    reportLagOf(this.#metrics, this);
  }

  /** The subscribed plugins and their event types. */
  get subscribers(): ReadonlyArray<{ name: string; types: readonly string[] }> {
    return [...this.#subscribers.values()].map((s) => ({ name: s.name, types: s.types }));
  }

  /**
   * Delivers until `signal` aborts, then lets running handlers finish (or
   * time out) and gives the plugins' leases up. Plugins without event types
   * get nothing.
   */
  async run(signal: AbortSignal): Promise<void> {
    const { db, log } = this.#options;
    // Two runs would be two deliverers per plugin under one lease holder.
    if (this.#running) throw new EngineError("INTERNAL", "EventHub.run() is already running");
    const active = [...this.#subscribers.values()].filter((s) => s.types.length > 0);
    if (active.length === 0) return;
    this.#running = true;
    let unlisten: (() => Promise<void>) | null = null;
    if (this.#options.listen ?? true) {
      try {
        unlisten = await db.listen(EVENT_LOG_CHANNEL, () => this.#wakeAll());
      } catch (error) {
        log.warn("cannot LISTEN for new events; polling only (EVENT_HUB_POLL_INTERVAL_MS)", {
          error,
        });
      }
    }
    try {
      await Promise.all(active.map((subscriber) =>
        new PluginDeliverer({
          db,
          clock: this.#options.clock,
          log,
          metrics: this.#metrics,
          subscriber,
          settings: this.#options.settings,
          holder: this.#engineId,
          wakeup: this.#wakeups.get(subscriber.name)!,
          random: this.#options.random ?? Math.random,
          registered: () => this.#register(),
        }).run(signal)
      ));
    } finally {
      await unlisten?.().catch(() => {});
      this.#running = false;
    }
  }

  /** Each subscribed plugin's delivery: lag, failures, dead letters, breaker. */
  async status(): Promise<PluginDeliveryStatus[]> {
    await this.#register();
    return await pluginDeliveryStatus(
      this.#options.db,
      [...this.#subscribers.keys()],
      this.#options.clock.now(),
    );
  }

  /** Delivers the plugin's events again from `from`; throws PLUGIN_NOT_FOUND for an unknown plugin. */
  async replay(plugin: string, from: ReplayFrom, change: ReplayChange): Promise<ReplayResult> {
    const subscriber = this.#subscriber(plugin);
    await this.#register();
    const result = await replayEvents(this.#options.db, subscriber, from, change);
    this.#wakeups.get(plugin)?.ring();
    return result;
  }

  /** Queues the plugin's dead letters not replayed yet for another delivery. */
  async replayDeadLetters(
    plugin: string,
    change: ReplayChange,
  ): Promise<{ plugin: string; deadLetters: number }> {
    this.#subscriber(plugin);
    await this.#register();
    const result = await replayDeadLetters(this.#options.db, plugin, change);
    this.#wakeups.get(plugin)?.ring();
    return result;
  }

  /** The plugin's dead letters, newest first. */
  async deadLetters(
    plugin: string,
    query: DeadLetterQuery,
  ): Promise<{ items: DeadLetter[]; nextCursor: number | null }> {
    this.#subscriber(plugin);
    return await listDeadLetters(this.#options.db, plugin, query);
  }

  #subscriber(name: string): EventSubscriber {
    const subscriber = this.#subscribers.get(name);
    if (subscriber) return subscriber;
    const known = [...this.#subscribers.keys()];
    throw new EngineError(
      "PLUGIN_NOT_FOUND",
      `No plugin "${name}" subscribes to events; ${
        known.length === 0 ? "no plugin does" : `those that do: ${known.join(", ")}`
      }`,
    );
  }

  /** Sets cs_plugin_lag_seconds (at scrape time); a failed read leaves the last values. */
  async recordLag(): Promise<void> {
    if (this.#subscribers.size === 0) return;
    try {
      const now = this.#options.clock.now().getTime();
      for (const status of await this.status()) {
        const oldest = status.oldestWaitingAt === null ? now : Date.parse(status.oldestWaitingAt);
        this.#metrics.pluginLag.set({ plugin: status.plugin }, Math.max(0, now - oldest) / 1000);
      }
    } catch (error) {
      this.#options.log.warn("reading the plugins' lag for /metrics failed", { error });
    }
  }

  #wakeAll(): void {
    for (const wakeup of this.#wakeups.values()) wakeup.ring();
  }

  /** Registers the plugins once per hub; a failed attempt is tried again by the next caller. */
  #register(): Promise<void> {
    this.#registered ??= registerPlugins(
      this.#options.db,
      this.subscribers,
      this.#options.startAt ?? "end",
    ).catch((error) => {
      this.#registered = undefined;
      throw error;
    });
    return this.#registered;
  }
}

/**
 * The hub whose lag each metrics registry reports: the newest built on it.
 * An engine that rebuilds its hub when plugins change adds one collector per
 * registry, not one per hub, and the replaced hub stops reporting.
 */
const lagReporters = new WeakMap<MetricsRegistry, { hub: EventHub }>();

function reportLagOf(metrics: EngineMetrics, hub: EventHub): void {
  const reporter = lagReporters.get(metrics.registry);
  if (reporter) {
    reporter.hub = hub;
    return;
  }
  const created = { hub };
  lagReporters.set(metrics.registry, created);
  metrics.registry.onCollect(() => created.hub.recordLag());
}

function checkSubscribers(
  subscribers: readonly EventSubscriber[],
): ReadonlyMap<string, EventSubscriber> {
  const byName = new Map<string, EventSubscriber>();
  for (const subscriber of subscribers) {
    if (byName.has(subscriber.name)) {
      throw new EngineError(
        "PLUGIN_INVALID",
        `Cannot subscribe plugin "${subscriber.name}" to events twice: each plugin has one cursor`,
      );
    }
    const unknown = subscriber.types.find((t) => !domainEventTypes.includes(t));
    if (unknown !== undefined) {
      throw new EngineError(
        "PLUGIN_INVALID",
        `Cannot subscribe plugin "${subscriber.name}" to "${unknown}": not an event type; ` +
          `the types are ${domainEventTypes.join(", ")}`,
      );
    }
    byName.set(subscriber.name, subscriber);
  }
  return byName;
}
