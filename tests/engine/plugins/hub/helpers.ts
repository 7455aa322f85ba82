/** What the event hub's tests share: fast settings, recording plugins, appending, running a hub. */
import type { Clock } from "../../../../engine/clock.ts";
import type { Db } from "../../../../engine/db/mod.ts";
import { appendDomainEvents, type DomainEventType } from "../../../../engine/events/mod.ts";
import { silentLogger } from "../../../../engine/log.ts";
import {
  type DurableDeliveryStatus,
  EventHub,
  type EventHubOptions,
  type EventHubSettings,
  type EventSubscriber,
  type LiveDeliveryStatus,
  type PluginEvent,
} from "../../../../engine/plugins/mod.ts";
import { NOW } from "../../../helpers/fixtures.ts";

/** Settings with small timings, so failures, retries and breakers play out in milliseconds. */
export const fastSettings: EventHubSettings = {
  batchSize: 100,
  pollIntervalMs: 50,
  leaseSeconds: 30,
  handlerTimeoutMs: 2_000,
  maxAttempts: 5,
  retryBaseMs: 5,
  breakerFailures: 50,
  breakerCooldownMs: 200,
};

/** A plugin that records what it receives; `behave` may throw (a failure) or wait. */
export interface RecordingPlugin extends EventSubscriber {
  /** Events it handled without throwing, in order. */
  readonly received: PluginEvent[];
  /** Every call, failed or not: the event id. */
  readonly calls: number[];
}

/** A recording plugin named `name` subscribed to `types`. */
export function recordingPlugin(
  name: string,
  types: readonly DomainEventType[],
  behave: (event: PluginEvent, signal: AbortSignal, call: number) => Promise<void> | void =
    () => {},
): RecordingPlugin {
  const received: PluginEvent[] = [];
  const calls: number[] = [];
  return {
    name,
    types,
    received,
    calls,
    async handle(event, signal) {
      calls.push(event.id);
      await behave(event, signal, calls.length);
      received.push(event);
    },
  };
}

/** One domain event to append. */
export interface TestEvent {
  type?: DomainEventType;
  customerId?: string | null;
  payload?: Record<string, unknown>;
}

/** Appends `events` in one transaction, as a change would. */
export async function append(db: Db, events: readonly TestEvent[]): Promise<void> {
  await db.transaction((tx) =>
    appendDomainEvents(
      tx,
      events.map((e) => ({
        type: e.type ?? "customer.updated",
        customerId: e.customerId === undefined ? "sup_1" : e.customerId,
        payload: e.payload ?? {},
        occurredAt: NOW,
      })),
    )
  );
}

/** The ids of the log's events, in id order. */
export async function eventIds(db: Db): Promise<number[]> {
  const rows = await db.query<{ id: number }>("select id from event_log order by id");
  return rows.map((r) => r.id);
}

/** Options of a test hub; the database and subscribers are required. */
export type TestHubOptions =
  & Pick<EventHubOptions, "db" | "subscribers">
  & Partial<Omit<EventHubOptions, "db" | "subscribers" | "settings">>
  & { settings?: Partial<EventHubSettings>; clock?: Clock };

/** A hub with fast settings that starts at the beginning of the log. */
export function testHub(options: TestHubOptions): EventHub {
  return new EventHub({
    clock: { now: () => NOW },
    log: silentLogger,
    startAt: "beginning",
    random: () => 0.5,
    ...options,
    settings: { ...fastSettings, ...options.settings },
  });
}

/** Runs `hub` while `fn` runs, then stops it and waits until it has stopped. */
export async function whileRunning(hub: EventHub, fn: () => Promise<void>): Promise<void> {
  const stop = new AbortController();
  const running = hub.run(stop.signal);
  try {
    await fn();
  } finally {
    stop.abort();
    await running;
  }
}

/** Waits until `condition` holds, checking every 10 ms; fails after `timeoutMs` saying `what`. */
export async function until(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Waits `ms` (to show that something does not happen meanwhile). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The status of the durable plugin `plugin` (the first one when not given); fails when there is none. */
export async function durableStatus(
  hub: EventHub,
  plugin?: string,
): Promise<DurableDeliveryStatus> {
  const status = (await hub.status()).find((s) => plugin === undefined || s.plugin === plugin);
  if (status?.delivery !== "durable") {
    throw new Error(`No durable plugin ${plugin ?? ""} in the hub`);
  }
  return status;
}

/** A recording plugin delivered live in every engine (`capabilities.delivery: "every-engine"`). */
export function livePlugin(
  name: string,
  types: readonly DomainEventType[],
  behave?: Parameters<typeof recordingPlugin>[2],
): RecordingPlugin {
  return { ...recordingPlugin(name, types, behave), delivery: "every-engine" };
}

/** Whether each every-engine plugin of `hub` has taken its place at the end of the log. */
export async function liveStarted(hub: EventHub): Promise<boolean> {
  return (await hub.status()).every((s) => s.delivery !== "every-engine" || s.since !== null);
}

/** The status in this engine of the every-engine plugin `plugin` (the first when not given). */
export async function liveStatus(hub: EventHub, plugin?: string): Promise<LiveDeliveryStatus> {
  const status = (await hub.status()).find((s) => plugin === undefined || s.plugin === plugin);
  if (status?.delivery !== "every-engine") {
    throw new Error(`No every-engine plugin ${plugin ?? ""} in the hub`);
  }
  return status;
}
