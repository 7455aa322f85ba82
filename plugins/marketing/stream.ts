/**
 * The marketing stream of one running plugin: the event handler that queues
 * selected events (with their configured fields, unless the customer may
 * not be sent), the flusher that posts the queue, and the health of both.
 */
import type { Db } from "../../engine/db/mod.ts";
import type { Logger } from "../../engine/log.ts";
import type { PluginEvent, PluginHealth } from "../../engine/plugins/mod.ts";
import { readBacklog } from "./backlog_sql.ts";
import { queueEvent, readQueuedCustomer } from "./enqueue_sql.ts";
import { pickFields } from "./fields.ts";
import { createFlusher, type FlushResult } from "./flusher.ts";
import { judgeBacklog } from "./health.ts";
import { selectEvent } from "./selection.ts";
import type { MarketingSettings } from "./settings.ts";

/** What queuing one event did. */
export type QueueOutcome =
  | "queued"
  | "already-queued"
  | "not-selected"
  | "churned"
  | "unsubscribed"
  | "unknown-customer";

/** The stream of a running plugin. */
export interface MarketingStream {
  /** Queues `event` if it is selected and its customer may be sent; safe to repeat. */
  queue(event: PluginEvent): Promise<QueueOutcome>;
  /** Posts every due batch now; what the timer runs every `flushIntervalMs`. */
  flush(): Promise<FlushResult>;
  /** The backlog, its oldest age and the last error. */
  health(): Promise<PluginHealth>;
  /** Stops the timer and waits for a flush in progress. */
  stop(): Promise<void>;
}

/** What the stream needs. */
export interface MarketingStreamOptions {
  db: Db;
  settings: MarketingSettings & { endpoint: string };
  log: Logger;
  now: () => Date;
  newId: () => string;
}

/** Starts the stream: its flusher's timer runs until `stop()`. */
export function startMarketingStream(options: MarketingStreamOptions): MarketingStream {
  const { db, settings, log } = options;
  const flusher = createFlusher(options);
  flusher.start();
  return {
    async queue(event) {
      const kind = selectEvent(event, settings.selection);
      if (kind === null || event.customerId === null) return "not-selected";
      const customer = await readQueuedCustomer(
        db,
        event.customerId,
        settings.unsubscribedChannels,
      );
      if (!customer) return "unknown-customer";
      if (customer.suppressed) {
        log.debug("marketing event not queued", { event: event.id, reason: customer.suppressed });
        return customer.suppressed;
      }
      const queued = await queueEvent(db, {
        eventId: event.id,
        customerId: event.customerId,
        kind,
        eventType: event.type,
        occurredAt: event.occurredAt,
        fields: pickFields(settings.fields, customer.fields, event.payload),
        queuedAt: options.now(),
      });
      return queued ? "queued" : "already-queued";
    },
    flush: () => flusher.flush(),
    async health() {
      return judgeBacklog(await readBacklog(db), {
        now: options.now(),
        hasSecret: settings.signingSecret !== null,
        roundError: flusher.lastRoundError(),
        // A batch goes once full or after maxWaitMs, at the next round: well past both is news.
        staleAfterMs: Math.max(60_000, 10 * (settings.maxWaitMs + settings.flushIntervalMs)),
      });
    },
    stop: () => flusher.stop(),
  };
}
