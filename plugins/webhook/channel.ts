/**
 * The webhook channel: each intervention posted as signed JSON to the
 * configured URL, with its dedup key as `Idempotency-Key` so the receiver
 * can drop a retried copy.
 */
import {
  type Channel,
  type OutgoingMessage,
  postJson,
  signBody,
} from "../../engine/plugins/mod.ts";
import type { WebhookSettings } from "./settings.ts";

/** The JSON body a receiver gets. */
export interface WebhookBody {
  /** The intervention's id. */
  id: string;
  dedupKey: string;
  test: boolean;
  customer: { id: string; name: string };
  channel: OutgoingMessage["channel"];
  subject: string | null;
  /** The markdown body. */
  text: string;
  html: string | null;
  source: OutgoingMessage["source"];
  /** When this attempt was sent (ISO 8601). */
  sentAt: string;
}

/** Makes the webhook channel; `now` is the time posts are stamped with. */
export function createWebhookChannel(
  settings: WebhookSettings,
  options: { now?: () => Date } = {},
): Channel {
  const now = options.now ?? (() => new Date());
  return {
    id: "webhook",
    kind: "webhook",
    async send(message: OutgoingMessage, context: { signal: AbortSignal }) {
      const sentAt = now();
      const payload: WebhookBody = {
        id: message.interventionId,
        dedupKey: message.dedupKey,
        test: message.test,
        customer: { id: message.customer.id, name: message.customer.name },
        channel: message.channel,
        subject: message.subject,
        text: message.text,
        html: message.html,
        source: message.source,
        sentAt: sentAt.toISOString(),
      };
      const body = JSON.stringify(payload);
      const timestamp = Math.floor(sentAt.getTime() / 1000);
      await postJson(settings.url, body, {
        receiver: "the webhook receiver",
        headers: {
          "Idempotency-Key": message.dedupKey,
          "X-CS-Timestamp": String(timestamp),
          "X-CS-Signature": await signBody(settings.secret, timestamp, body),
        },
        signal: context.signal,
        timeoutMs: settings.timeoutMs,
      });
      return { status: "sent", providerMessageId: null };
    },
  };
}
