/**
 * The live feed: each domain event the hub delivers goes to every connected
 * client that wants its type, then the metric changes it caused (a delta)
 * to every client, and both to the push endpoint. Publishing never waits
 * for a client: each has its own bounded queue (client.ts), so a slow one is
 * dropped and the others, and the event hub, go on at their own pace.
 */
import type { Logger } from "../../engine/log.ts";
import type { PluginEvent, PluginHealth, RequestActor } from "../../engine/plugins/mod.ts";
import { type ClientEnd, FeedClient } from "./client.ts";
import { MetricsRollup, type MetricValues } from "./metrics.ts";
import {
  closeCodes,
  type FeedEventType,
  feedEventTypes,
  fieldsOf,
  type HelloMessage,
  PROTOCOL_VERSION,
  type ServerMessage,
} from "./protocol.ts";
import { type Backoff, PushLink, type PushStatus } from "./push.ts";
import { RecentIds } from "./recent_ids.ts";
import type { DashboardSettings } from "./settings.ts";

// Event ids remembered to skip a redelivery (the hub delivers at least once).
const EVENTS_REMEMBERED = 10_000;

/** What the feed is made with. */
export interface DashboardFeedOptions {
  settings: DashboardSettings;
  plugin: { name: string; version: string };
  log: Logger;
  now?: () => Date;
  /** The push endpoint's reconnect backoff (push.ts has the default). */
  pushBackoff?: Backoff;
}

/** What the feed is doing, for the status route and health. */
export interface FeedStatus {
  clients: number;
  /** Clients dropped as too slow, and closed after too many invalid messages. */
  dropped: { slow: number; invalid: number };
  metrics: MetricValues;
  metricsSince: string;
  /** Null when DASHBOARD_WS_ENDPOINT is not set. */
  push: PushStatus | null;
}

/** The feed: its clients, its metrics and its push endpoint. */
export class DashboardFeed {
  readonly #settings: DashboardSettings;
  readonly #plugin: { name: string; version: string };
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #since: Date;
  readonly #clients = new Set<FeedClient>();
  readonly #rollup = new MetricsRollup();
  readonly #seen = new RecentIds<number>(EVENTS_REMEMBERED);
  readonly #dropped = { slow: 0, invalid: 0 };
  readonly #push: PushLink | null;
  readonly #heartbeat: ReturnType<typeof setInterval>;

  constructor(options: DashboardFeedOptions) {
    this.#settings = options.settings;
    this.#plugin = options.plugin;
    this.#log = options.log;
    this.#now = options.now ?? (() => new Date());
    this.#since = this.#now();
    const endpoint = options.settings.pushEndpoint;
    this.#push = endpoint === null ? null : new PushLink({
      url: endpoint,
      bufferMessages: options.settings.pushBufferMessages,
      hello: () => this.#hello(feedEventTypes),
      log: options.log,
      now: this.#now,
      ...(options.pushBackoff ? { backoff: options.pushBackoff } : {}),
    });
    this.#push?.start();
    this.#heartbeat = setInterval(
      () => this.#broadcast({ type: "heartbeat", serverTime: this.#now().toISOString() }),
      options.settings.heartbeatSeconds * 1000,
    );
  }

  /** Takes a connected (or connecting) socket as a client; its hello is sent first. */
  attach(socket: WebSocket, actor: RequestActor, events: readonly FeedEventType[]): FeedClient {
    const client = new FeedClient({
      socket,
      actor,
      events,
      limits: this.#settings,
      now: this.#now,
      onEnd: (ended, end) => this.#ended(ended, end),
    });
    this.#clients.add(client);
    client.send({ ...this.#hello(events), actor: { id: actor.id, role: actor.role } });
    this.#log.info("dashboard client connected", { actor: actor.id, clients: this.#clients.size });
    return client;
  }

  /** Sends `event`, then the metric changes it caused; a repeated delivery is skipped. */
  publish(event: PluginEvent & { type: FeedEventType }): void {
    if (!this.#seen.add(event.id)) return;
    const changes = this.#rollup.apply(event);
    // Only the event's own fields: a handler's event also carries its abort signal.
    const { id, type, customerId, payload, occurredAt, recordedAt } = event;
    const eventFields = fieldsOf({
      type: "event",
      event: { id, type, customerId, payload, occurredAt, recordedAt },
    });
    const deltaFields = changes.length === 0
      ? null
      : fieldsOf({ type: "delta", eventId: id, eventType: type, occurredAt, changes });
    for (const client of this.#clients) {
      if (client.wants(type)) client.sendFields("event", eventFields);
      if (deltaFields !== null) client.sendFields("delta", deltaFields);
    }
    this.#push?.sendFields("event", eventFields);
    if (deltaFields !== null) this.#push?.sendFields("delta", deltaFields);
  }

  /** What the feed is doing. */
  status(): FeedStatus {
    return {
      clients: this.#clients.size,
      dropped: { ...this.#dropped },
      metrics: this.#rollup.values(),
      metricsSince: this.#since.toISOString(),
      push: this.#push?.status() ?? null,
    };
  }

  /** Healthy, unless the push endpoint is configured and not connected. */
  health(): PluginHealth {
    const { clients, dropped, push } = this.status();
    const local = `${clients} client(s) connected; ${dropped.slow} dropped as too slow, ` +
      `${dropped.invalid} closed after invalid messages`;
    if (push === null) {
      return { status: "healthy", detail: `${local}; no push endpoint (DASHBOARD_WS_ENDPOINT)` };
    }
    const pushed = `${push.dropped} message(s) dropped while it was unreachable or too slow, ` +
      `${push.waiting} waiting`;
    if (push.connected) {
      return {
        status: "healthy",
        detail: `${local}; connected to ${push.endpoint} since ${push.since}; ${pushed}`,
      };
    }
    return {
      status: "degraded",
      detail: `${local}; not connected to ${push.endpoint} (${
        push.lastError ?? "connecting"
      }), connecting again with backoff; ${pushed}`,
    };
  }

  /** Closes every client (1001) and the push connection. */
  async stop(): Promise<void> {
    clearInterval(this.#heartbeat);
    for (const client of this.#clients) {
      client.close(closeCodes.goingAway, "the dashboard feed is stopping", "stopped");
    }
    await this.#push?.stop();
  }

  #broadcast(message: ServerMessage): void {
    const fields = fieldsOf(message);
    for (const client of this.#clients) client.sendFields(message.type, fields);
    this.#push?.sendFields(message.type, fields);
  }

  #hello(events: readonly FeedEventType[]): HelloMessage {
    const s = this.#settings;
    return {
      type: "hello",
      protocol: PROTOCOL_VERSION,
      serverTime: this.#now().toISOString(),
      plugin: this.#plugin,
      events,
      metrics: this.#rollup.values(),
      metricsSince: this.#since.toISOString(),
      heartbeatSeconds: s.heartbeatSeconds,
      limits: {
        maxQueuedMessages: s.maxQueuedMessages,
        maxQueuedBytes: s.maxQueuedBytes,
        maxInvalidMessages: s.maxInvalidMessages,
      },
    };
  }

  #ended(client: FeedClient, end: ClientEnd): void {
    this.#clients.delete(client);
    if (end === "slow" || end === "invalid") {
      this.#dropped[end]++;
      this.#log.warn(
        end === "slow"
          ? "dashboard client dropped: too slow"
          : "dashboard client closed: invalid messages",
        { actor: client.actor.id, clients: this.#clients.size },
      );
    }
  }
}
