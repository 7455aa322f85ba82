/**
 * Telemetry around the two ways the engine talks to plugins: handing a domain
 * event to an integration plugin, and sending a rendered message through a
 * channel plugin. The event hub and the outbox dispatcher (later issues) wrap
 * each call in these, so every delivery gets a span and its count and
 * duration, the same way for every plugin.
 */
import type { EngineMetrics } from "./engine_metrics.ts";
import { type Span, traced } from "./otel.ts";

/** Which event goes to which integration plugin. */
export interface PluginDelivery {
  plugin: string;
  eventType: string;
  eventId: string | number;
}

/** Which intervention goes out through which channel. */
export interface ChannelSend {
  channel: string;
  interventionId: string | number;
  customerId?: string;
}

/**
 * Runs `deliver` in a span `plugin.deliver <plugin>` and records
 * `cs_plugin_deliveries_total` and `cs_plugin_delivery_duration_seconds`.
 */
export async function tracePluginDelivery<T>(
  metrics: EngineMetrics,
  delivery: PluginDelivery,
  deliver: (span: Span) => Promise<T>,
): Promise<T> {
  return await measured(
    `plugin.deliver ${delivery.plugin}`,
    {
      "cs.plugin": delivery.plugin,
      "cs.event_type": delivery.eventType,
      "cs.event_id": String(delivery.eventId),
    },
    deliver,
    (outcome, seconds) => {
      metrics.pluginDeliveries.inc({ plugin: delivery.plugin, outcome });
      metrics.pluginDeliveryDuration.observe({ plugin: delivery.plugin, outcome }, seconds);
    },
  );
}

/**
 * Runs `send` in a span `channel.send <channel>` (kind client) and records
 * `cs_channel_sends_total` and `cs_channel_send_duration_seconds`.
 */
export async function traceChannelSend<T>(
  metrics: EngineMetrics,
  message: ChannelSend,
  send: (span: Span) => Promise<T>,
): Promise<T> {
  return await measured(
    `channel.send ${message.channel}`,
    {
      "cs.channel": message.channel,
      "cs.intervention_id": String(message.interventionId),
      ...(message.customerId === undefined ? {} : { "cs.customer_id": message.customerId }),
    },
    send,
    (outcome, seconds) => {
      metrics.channelSends.inc({ channel: message.channel, outcome });
      metrics.channelSendDuration.observe({ channel: message.channel, outcome }, seconds);
    },
    "client",
  );
}

async function measured<T>(
  name: string,
  attributes: Record<string, string>,
  work: (span: Span) => Promise<T>,
  record: (outcome: "ok" | "error", seconds: number) => void,
  kind: "internal" | "client" = "internal",
): Promise<T> {
  const started = performance.now();
  let outcome: "ok" | "error" = "error";
  try {
    const result = await traced(name, attributes, work, { kind });
    outcome = "ok";
    return result;
  } finally {
    record(outcome, (performance.now() - started) / 1000);
  }
}
