/**
 * The Slack channel: each intervention posted to an incoming webhook as
 * mrkdwn text. Slack answers "ok" with no message id and cannot drop a
 * second copy, so a retry after an answer that got lost may post twice.
 */
import { type Channel, type OutgoingMessage, postJson } from "../../engine/plugins/mod.ts";
import type { SlackSettings } from "./settings.ts";

/** Makes the Slack channel. */
export function createSlackChannel(settings: SlackSettings): Channel {
  return {
    id: "slack",
    kind: "slack",
    async send(message: OutgoingMessage, context: { signal: AbortSignal }) {
      const text = message.test ? `[Test] ${message.text}` : message.text;
      await postJson(settings.webhookUrl, JSON.stringify({ text }), {
        receiver: "Slack",
        signal: context.signal,
        timeoutMs: settings.timeoutMs,
      });
      return { status: "sent", providerMessageId: null };
    },
  };
}
