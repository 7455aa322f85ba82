/**
 * The marketing plugin: at-risk customers, champions and milestones streamed
 * to MARKETING_API_ENDPOINT in signed, durable batches, with only the
 * configured fields, never for churned or unsubscribed customers
 * (README.md). Its handlers only queue (table `marketing_outbox`); a
 * flusher on a timer posts the queue.
 *
 * @example
 * ```ts
 * import { firstParty } from "../../engine/plugins/mod.ts";
 * import manifest from "./plugin.json" with { type: "json" };
 * // Tests drive the flusher themselves instead of waiting for its timer:
 * let stream: MarketingStream | undefined;
 * const definition = createMarketingPlugin({ onStart: (started) => (stream = started) });
 * const plugin = firstParty(manifest, definition, "plugins/marketing");
 * await stream!.flush();
 * ```
 */
import { eraseMarketingData, exportMarketingData } from "./privacy.ts";
import { EngineError } from "../../engine/errors.ts";
import {
  definePlugin,
  type PluginDefinition,
  type PluginEventHandler,
} from "../../engine/plugins/mod.ts";
import { type MarketingSettings, marketingSettings } from "./settings.ts";
import { type MarketingStream, startMarketingStream } from "./stream.ts";

export type { MarketingBatchBody, MarketingEventBody } from "./body.ts";
export { customerFields, eventFields, type FieldName } from "./fields.ts";
export type { FlushResult } from "./flusher.ts";
export { type MarketingKind, marketingKinds, selectEvent } from "./selection.ts";
export { type MarketingSettings, marketingSettings } from "./settings.ts";
export type { MarketingStream, QueueOutcome } from "./stream.ts";

/** Sources a test controls; the real clock and random ids otherwise. */
export interface MarketingPluginOptions {
  now?: () => Date;
  /** Batch idempotency keys and the engine's lease id. */
  newId?: () => string;
  /** Called with the stream when the plugin starts (not when it is off). */
  onStart?: (stream: MarketingStream) => void;
}

/** The plugin's definition, with its sources of time and ids. */
export function createMarketingPlugin(
  options: MarketingPluginOptions = {},
): PluginDefinition<MarketingSettings> {
  const now = options.now ?? (() => new Date());
  const newId = options.newId ?? (() => crypto.randomUUID());
  return definePlugin({
    settings: marketingSettings,
    setup(context, settings) {
      const endpoint = settings.endpoint;
      // Rows queued before the stream was turned off still answer privacy requests.
      const db = context.engine?.db;
      const privacy = {
        exportCustomer: ({ customerId }: { customerId: string }) =>
          db ? exportMarketingData(db, customerId) : Promise.resolve({}),
        eraseCustomer: ({ customerId }: { customerId: string }) =>
          db ? eraseMarketingData(db, customerId) : Promise.resolve({}),
      };
      if (endpoint === null) {
        context.log.info("marketing stream off: MARKETING_API_ENDPOINT is not set");
        return {
          on: handlers(() => Promise.resolve()),
          health: () =>
            Promise.resolve({
              status: "healthy",
              detail: "Off: MARKETING_API_ENDPOINT is not set, so no event is queued or sent",
            }),
          ...privacy,
        };
      }
      if (!context.engine) {
        throw new EngineError(
          "PLUGIN_INVALID",
          'Cannot register plugin "marketing": it needs the engine\'s database for its ' +
            "outbox, so it runs only as a first-party plugin, not from PLUGINS_DIR",
        );
      }
      if (settings.signingSecret === null) {
        context.log.warn(
          "marketing events are queued but not sent until a signingSecret is configured",
        );
      }
      const stream = startMarketingStream({
        db: context.engine.db,
        settings: { ...settings, endpoint },
        log: context.log,
        now,
        newId,
      });
      options.onStart?.(stream);
      return {
        on: handlers(async (event) => {
          await stream.queue(event);
        }),
        health: () => stream.health(),
        stop: () => stream.stop(),
        ...privacy,
      };
    },
  });
}

// Every subscription of plugin.json needs its handler, even when the plugin is off.
function handlers(handler: PluginEventHandler) {
  return {
    "health.changed": handler,
    "churn.predicted": handler,
    "milestone.achieved": handler,
  };
}

export default createMarketingPlugin();
