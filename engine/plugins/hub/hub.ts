/**
 * The event hub: delivers the event log to every subscribed plugin, each on
 * its own deliverer (a failing or hanging plugin delays only itself), woken
 * by NOTIFY on each commit and polling as a fallback. A `durable` plugin's
 * deliverer runs in the one engine holding its lease; an `every-engine`
 * plugin's runs in each engine, live. It also answers for the plugins'
 * delivery: status, dead letters, replays.
 */
import type { Clock } from "../../clock.ts";
import type { Db } from "../../db/mod.ts";
import { EngineError } from "../../errors.ts";
import { domainEventTypes } from "../../events/mod.ts";
import type { Logger } from "../../log.ts";
import { createEngineMetrics, type EngineMetrics, type MetricsRegistry } from "../../ops/mod.ts";
import type { DeliveryMode, EventSubscriber } from "../subscriber.ts";
import { type DeadLetter, type DeadLetterQuery, listDeadLetters } from "./dead_letters_sql.ts";
import { PluginDeliverer } from "./deliverer.ts";
import { LiveDeliverer } from "./live_deliverer.ts";
import { registerPlugins, type StartAt } from "./plugins_sql.ts";
import {
  type ReplayChange,
  replayDeadLetters,
  replayEvents,
  type ReplayFrom,
  type ReplayResult,
} from "./replay.ts";
import type { EventHubSettings } from "./settings.ts";
import type { LogPosition } from "./state.ts";
import {
  liveDeliveryStatus,
  type PluginDeliveryStatus,
  pluginDeliveryStatus,
} from "./status_sql.ts";
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
  /**
   * Where `every-engine` plugins go on from, by name, instead of the end of
   * the log: the `livePositions()` of the hub this one replaces, so a
   * rebuild for another plugin's change does not make a live feed miss events.
   */
  livePositions?: ReadonlyMap<string, LogPosition>;
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
  // Built with the hub, not per run: their state is what status() shows of them.
  readonly #live = new Map<string, LiveDeliverer>();
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
    for (const subscriber of this.#subscribers.values()) {
      if (deliveryOf(subscriber) !== "every-engine") continue;
      this.#live.set(
        subscriber.name,
        new LiveDeliverer({
          db: options.db,
          clock: options.clock,
          log: options.log,
          metrics: this.#metrics,
          subscriber,
          settings: options.settings,
          wakeup: this.#wakeups.get(subscriber.name)!,
          resumeAt: options.livePositions?.get(subscriber.name),
        }),
      );
    }
    reportLagOf(this.#metrics, this);
  }

  /** The subscribed plugins, their event types and how they are delivered. */
  get subscribers(): ReadonlyArray<
    { name: string; types: readonly string[]; delivery: DeliveryMode }
  > {
    return [...this.#subscribers.values()].map((s) => ({
      name: s.name,
      types: s.types,
      delivery: deliveryOf(s),
    }));
  }

  /** Where each `every-engine` plugin has got to in the log: for the hub that replaces this one. */
  livePositions(): Map<string, LogPosition> {
    const positions = new Map<string, LogPosition>();
    for (const [name, deliverer] of this.#live) {
      const { position } = deliverer.state;
      if (position !== null) positions.set(name, position);
    }
    return positions;
  }

  /**
   * Delivers until `signal` aborts, then lets running handlers finish (or
   * time out) and gives the durable plugins' leases up. Plugins without
   * event types get nothing.
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
      await Promise.all(active.map((subscriber) => this.#deliverer(subscriber).run(signal)));
    } finally {
      await unlisten?.().catch(() => {});
      this.#running = false;
    }
  }

  /** The plugin's live deliverer, or a new durable one (it takes the lease when it can). */
  #deliverer(subscriber: EventSubscriber): { run(signal: AbortSignal): Promise<void> } {
    return this.#live.get(subscriber.name) ?? new PluginDeliverer({
      db: this.#options.db,
      clock: this.#options.clock,
      log: this.#options.log,
      metrics: this.#metrics,
      subscriber,
      settings: this.#options.settings,
      holder: this.#engineId,
      wakeup: this.#wakeups.get(subscriber.name)!,
      random: this.#options.random ?? Math.random,
      registered: () => this.#register(),
    });
  }

  /**
   * Each subscribed plugin's delivery, in name order: for durable plugins
   * lag, failures, dead letters, breaker, lease holder; for every-engine
   * plugins this engine's lag and counts.
   */
  async status(): Promise<PluginDeliveryStatus[]> {
    const { db, clock } = this.#options;
    const durable = this.#durableNames();
    if (durable.length > 0) await this.#register();
    const statuses: PluginDeliveryStatus[] = [
      ...(durable.length > 0 ? await pluginDeliveryStatus(db, durable, clock.now()) : []),
      ...await liveDeliveryStatus(
        db,
        this.#engineId,
        [...this.#live].map(([plugin, deliverer]) => ({
          plugin,
          types: this.#subscribers.get(plugin)!.types,
          state: deliverer.state,
        })),
      ),
    ];
    return statuses.sort((a, b) => a.plugin < b.plugin ? -1 : a.plugin > b.plugin ? 1 : 0);
  }

  /** Delivers the plugin's events again from `from`; throws PLUGIN_NOT_FOUND for an unknown plugin. */
  async replay(plugin: string, from: ReplayFrom, change: ReplayChange): Promise<ReplayResult> {
    const subscriber = this.#durableSubscriber(plugin);
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
    this.#durableSubscriber(plugin);
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
    this.#durableSubscriber(plugin);
    return await listDeadLetters(this.#options.db, plugin, query);
  }

  /** A durable subscriber: only those have a cursor to move back and dead letters. */
  #durableSubscriber(name: string): EventSubscriber {
    const subscriber = this.#subscribers.get(name);
    if (subscriber && !this.#live.has(name)) return subscriber;
    const known = this.#durableNames();
    const those = known.length === 0
      ? "no plugin is delivered durably"
      : `those delivered durably: ${known.join(", ")}`;
    throw new EngineError(
      "PLUGIN_NOT_FOUND",
      subscriber
        ? `Plugin "${name}" has its events delivered live in every engine (capabilities.delivery ` +
          `"every-engine"): it keeps no cursor to replay from and no dead letters; ${those}`
        : `No plugin "${name}" subscribes to events; ${
          this.#subscribers.size === 0
            ? "no plugin does"
            : `those that do: ${[...this.#subscribers.keys()].join(", ")}`
        }`,
    );
  }

  #durableNames(): string[] {
    return [...this.#subscribers.keys()].filter((name) => !this.#live.has(name));
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

  /**
   * Registers the durable plugins (every-engine ones keep nothing in the
   * database) once per hub; a failed attempt is tried again by the next caller.
   */
  #register(): Promise<void> {
    this.#registered ??= registerPlugins(
      this.#options.db,
      this.subscribers.filter((s) => s.delivery === "durable"),
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

function deliveryOf(subscriber: EventSubscriber): DeliveryMode {
  return subscriber.delivery ?? "durable";
}
