/**
 * "Send a test to me": a template version rendered for a real customer and
 * delivered through the real channel to the person who asked — marked as a
 * test (subject prefix, header, flag), and recorded in template_test_sends,
 * apart from real interventions.
 */
import type { Queryable } from "../db/mod.ts";
import { EngineError } from "../errors.ts";
import { sealText } from "../privacy/mod.ts";
import {
  type Channel,
  type ChannelKind,
  DeliveryError,
  type OutgoingMessage,
} from "../plugins/mod.ts";
import { emailProblem } from "./policy.ts";
import { loadTemplateContext, type RenderSource, type TemplateRenderer } from "./templates/mod.ts";

/** What a test send did. */
export interface TestSend {
  id: number;
  templateId: string;
  templateVersion: number | null;
  customerId: string;
  channel: ChannelKind;
  recipient: string | null;
  status: "sent" | "delivered";
  providerMessageId: string | null;
  sentAt: string;
}

/**
 * Renders `source` for `customerId` and sends it through `channel` to
 * `recipient` (the address, for email). CHANNEL_NOT_CONFIGURED without a
 * channel; TEST_SEND_FAILED, recorded, when the channel refuses it.
 */
export async function sendTemplateTest(
  db: Queryable,
  input: {
    source: RenderSource;
    customerId: string;
    locale?: string | undefined;
    recipient: string | null;
    channel: Channel | undefined;
    requestedBy: string;
    renderer: TemplateRenderer;
    publicUrl: string;
    now: Date;
  },
): Promise<TestSend> {
  const kind = input.source.definition.channel;
  if (!input.channel) {
    throw new EngineError(
      "CHANNEL_NOT_CONFIGURED",
      `No "${kind}" channel is configured, so nothing can be sent on it: set its settings ` +
        "(docs/configuration.md) and restart the engine",
    );
  }
  if (kind === "email" && emailProblem(input.recipient) !== null) {
    throw new EngineError(
      "VALIDATION_FAILED",
      "An email test needs the address to send it to: give `to`, your own address",
      { issues: [{ path: "to", message: "must be an email address" }] },
    );
  }
  const context = await loadTemplateContext(db, input.customerId, {
    now: input.now,
    publicUrl: input.publicUrl,
  });
  const rendered = input.renderer.render(input.source, context, { locale: input.locale });
  const nonce = crypto.randomUUID();
  const message: OutgoingMessage = {
    interventionId: `test-${nonce}`,
    dedupKey: `test:${nonce}`,
    channel: kind,
    customer: {
      id: context.customer.id,
      name: context.customer.name,
      email: kind === "email" ? input.recipient : null,
      timeZone: context.customer.timeZone,
      locale: context.customer.locale,
    },
    subject: kind === "email" ? rendered.subject : null,
    html: kind === "email" ? rendered.html : null,
    text: rendered.text,
    links: { unsubscribe: null },
    test: true,
    source: {
      ruleId: null,
      templateId: input.source.id,
      templateVersion: input.source.version ?? 0,
    },
  };
  // The address, and an error that may quote it (SMTP does), are stored encrypted.
  const record = async (
    outcome: { status: string; providerMessageId?: string | null; error?: string },
  ) =>
    await db.query<{ id: number }>(
      `insert into template_test_sends (template_id, template_version, customer_id, channel,
         recipient, requested_by, status, provider_message_id, error, sent_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id`,
      [
        input.source.id,
        input.source.version,
        input.customerId,
        kind,
        await sealText("contact", "template_test_sends.recipient", input.recipient),
        input.requestedBy,
        outcome.status,
        outcome.providerMessageId ?? null,
        await sealText("text", "template_test_sends.error", outcome.error ?? null),
        input.now,
      ],
    );
  try {
    const receipt = await input.channel.send(message, { signal: AbortSignal.timeout(30_000) });
    const [row] = await record(receipt);
    return {
      id: row!.id,
      templateId: input.source.id,
      templateVersion: input.source.version,
      customerId: input.customerId,
      channel: kind,
      recipient: input.recipient,
      status: receipt.status,
      providerMessageId: receipt.providerMessageId,
      sentAt: input.now.toISOString(),
    };
  } catch (error) {
    if (!(error instanceof DeliveryError)) throw error;
    await record({ status: "failed", error: error.message });
    throw new EngineError(
      "TEST_SEND_FAILED",
      `The ${kind} channel could not send the test: ${error.message}`,
      { cause: error },
    );
  }
}
