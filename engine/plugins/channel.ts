/**
 * The channel contract: how the engine hands a rendered intervention to a
 * delivery channel (email, Slack, webhook, in-app, or a plugin's own). A
 * channel only sends: templates render before `send`, and the outbox decides
 * when and whether to retry from the DeliveryError it throws.
 */

/** The kinds of channel an intervention rule can name. */
export const channelKinds = ["email", "slack", "webhook", "in-app"] as const;

/** A channel kind, e.g. `"email"`. */
export type ChannelKind = typeof channelKinds[number];

/** A rendered intervention, ready to send. */
export interface OutgoingMessage {
  /** The intervention's id: the same on every attempt. */
  interventionId: string;
  /**
   * Stable across retries and workers, so a provider or receiver can drop a
   * second copy (email Message-ID, webhook `Idempotency-Key`).
   */
  dedupKey: string;
  channel: ChannelKind;
  customer: {
    id: string;
    name: string;
    /** The address email goes to; null when the customer has none. */
    email: string | null;
    timeZone: string;
    locale: string;
  };
  /** Email: the subject line. Null for other channels. */
  subject: string | null;
  /** Email: the HTML part. Null for other channels. */
  html: string | null;
  /** Email: the text part. Slack, webhook and in-app: the markdown body. */
  text: string;
  links: {
    /** One-click unsubscribe from this channel (email List-Unsubscribe); null when none. */
    unsubscribe: string | null;
  };
  /** A "send a test to me" message: recorded apart from real interventions. */
  test: boolean;
  /** What produced it, for receivers and logs. */
  source: { ruleId: string | null; templateId: string; templateVersion: number };
}

/** What a channel reports after a successful send. */
export interface DeliveryReceipt {
  /** `delivered` when the channel knows it arrived (in-app), `sent` when handed over. */
  status: "sent" | "delivered";
  /** The provider's id of the message (the email Message-ID, …), kept with the intervention. */
  providerMessageId: string | null;
}

/** A send that failed; `retriable` says whether trying again later can help. */
export class DeliveryError extends Error {
  readonly retriable: boolean;

  constructor(message: string, options: { retriable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "DeliveryError";
    this.retriable = options.retriable;
  }
}

/** A channel's own view of its health; never throws. */
export interface ChannelHealth {
  status: "healthy" | "degraded" | "unhealthy";
  detail: string;
}

/** A delivery channel. */
export interface Channel {
  /** Unique among the registered channels, e.g. `"email"`. */
  readonly id: string;
  readonly kind: ChannelKind;
  /** Sends one message; throws DeliveryError when it could not. */
  send(message: OutgoingMessage, context: { signal: AbortSignal }): Promise<DeliveryReceipt>;
  checkHealth?(): Promise<ChannelHealth>;
  /** Releases connections (the SMTP pool, …) at shutdown. */
  close?(): Promise<void>;
}
