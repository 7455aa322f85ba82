/**
 * One run of the event hub benchmark: writers append events at a fixed rate
 * in small transactions while the hub delivers them to a plugin that notes
 * when each handler starts. Latency is that start minus the moment the
 * event's commit returned to its writer (both on this process's clock).
 */
import type { Db } from "../../engine/db/mod.ts";
import { appendDomainEvents } from "../../engine/events/mod.ts";
import { silentLogger } from "../../engine/log.ts";
import { EventHub, type EventHubSettings } from "../../engine/plugins/mod.ts";

/** What to run. */
export interface LoadOptions {
  eventsPerSecond: number;
  seconds: number;
  eventsPerTransaction: number;
  /** Writers appending at once, each its share of the rate: their transactions overlap. */
  writers: number;
  settings: EventHubSettings;
  /** Wake on NOTIFY; false: poll only, every settings.pollIntervalMs. */
  listen: boolean;
}

/** What a run measured. */
export interface LoadRun {
  events: number;
  /** The rate the writers reached. */
  eventsPerSecond: number;
  /** Milliseconds from commit to handler start, sorted. */
  latencies: number[];
  delivered: number;
}

/** Runs the load on an empty log and waits until every event was handled (or 30 s more). */
export async function runLoad(db: Db, options: LoadOptions): Promise<LoadRun> {
  await db.exec(
    "truncate event_log, event_hub_redeliveries, event_hub_dead_letters, event_hub_plugins",
  );
  const committedAt = new Map<number, number>();
  const startedAt = new Map<number, number>();
  const hub = new EventHub({
    db,
    clock: { now: () => new Date() },
    log: silentLogger,
    subscribers: [{
      name: "bench",
      types: ["customer.updated"],
      handle(event) {
        const seq = event.payload.seq as number;
        if (!startedAt.has(seq)) startedAt.set(seq, performance.now());
        return Promise.resolve();
      },
    }],
    settings: options.settings,
    listen: options.listen,
    startAt: "end",
  });
  const stop = new AbortController();
  const delivering = hub.run(stop.signal);
  await until(async () => {
    const [status] = await hub.status();
    return status?.delivery === "durable" && status.holder !== null;
  }, 10_000);

  const transactions = Math.round(
    options.eventsPerSecond * options.seconds / options.eventsPerTransaction,
  );
  const intervalMs = 1000 * options.eventsPerTransaction / options.eventsPerSecond;
  const began = performance.now();
  let next = 0;
  // Each writer takes the next transaction when its time has come: together
  // they keep the rate, and one slow commit does not hold the others.
  const writer = async () => {
    while (next < transactions) {
      const k = next++;
      const due = began + k * intervalMs;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const seqs = Array.from(
        { length: options.eventsPerTransaction },
        (_, i) => k * options.eventsPerTransaction + i,
      );
      await db.transaction((tx) =>
        appendDomainEvents(
          tx,
          seqs.map((seq) => ({
            type: "customer.updated",
            customerId: `sup_${seq % 1000}`,
            payload: { seq },
            occurredAt: new Date(),
          })),
        )
      );
      const now = performance.now();
      for (const seq of seqs) committedAt.set(seq, now);
    }
  };
  await Promise.all(Array.from({ length: options.writers }, writer));
  const wroteSeconds = (performance.now() - began) / 1000;
  const events = transactions * options.eventsPerTransaction;
  await until(() => startedAt.size >= events, 30_000);
  stop.abort();
  await delivering;
  const latencies = [...committedAt].flatMap(([seq, committed]) => {
    const started = startedAt.get(seq);
    return started === undefined ? [] : [started - committed];
  }).sort((a, b) => a - b);
  return { events, eventsPerSecond: events / wroteSeconds, latencies, delivered: startedAt.size };
}

/** The `p`-th percentile (0–100) of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition()) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
