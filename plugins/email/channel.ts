/**
 * The email channel: one pooled nodemailer SMTP transport, built when the
 * channel is made, sending each rendered intervention as a text and HTML
 * email with one-click unsubscribe headers and a Message-ID stable across
 * retries.
 */
import nodemailer from "nodemailer";
import { type Channel, DeliveryError, type OutgoingMessage } from "../../engine/plugins/mod.ts";
import { messageIdFor } from "./message_id.ts";
import { isSendableAddress } from "./recipient.ts";
import type { EmailSettings } from "./settings.ts";
import { smtpDeliveryError } from "./smtp_failure.ts";

/** Makes the email channel; its SMTP connections open on the first send. */
export function createEmailChannel(settings: EmailSettings): Channel {
  const { smtp } = settings;
  const server = `${smtp.host}:${smtp.port}`;
  const transporter = nodemailer.createTransport({
    pool: true,
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    ...(smtp.auth === null ? {} : { auth: smtp.auth }),
    // EHLO with the sending domain: nodemailer's default, the machine's name,
    // is often not a public name (and asks Deno for sys access).
    name: settings.fromDomain,
    connectionTimeout: settings.timeoutMs,
    greetingTimeout: settings.timeoutMs,
    // Idle time within a session; sending a large message takes several replies.
    socketTimeout: settings.timeoutMs * 3,
  });

  return {
    id: "email",
    kind: "email",
    async send(message: OutgoingMessage, context: { signal: AbortSignal }) {
      const to = message.customer.email;
      if (to === null || !isSendableAddress(to)) {
        throw new DeliveryError(
          `Cannot email customer "${message.customer.id}": ${
            to === null ? "the customer has no email address" : "its email address is not valid"
          }`,
          { retriable: false },
        );
      }
      if (message.subject === null) {
        throw new DeliveryError(
          `Cannot email intervention ${message.interventionId}: it was rendered without a subject`,
          { retriable: false },
        );
      }
      const messageId = messageIdFor(message.dedupKey, settings.fromDomain);
      const headers: Record<string, string> = { "X-CS-Intervention-Id": message.interventionId };
      if (message.test) headers["X-CS-Test"] = "true";
      if (message.links.unsubscribe !== null) {
        // RFC 8058: mail clients unsubscribe with one POST, no page to visit.
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click";
      }
      try {
        const info = await transporter.sendMail({
          from: settings.from,
          to,
          subject: message.test ? `[Test] ${message.subject}` : message.subject,
          text: message.text,
          ...(message.html === null ? {} : { html: message.html }),
          messageId,
          headers,
          ...(message.links.unsubscribe === null
            ? {}
            : { list: { unsubscribe: message.links.unsubscribe } }),
          signal: context.signal,
        });
        return { status: "sent", providerMessageId: info.messageId || messageId };
      } catch (error) {
        throw smtpDeliveryError(error, server);
      }
    },
    async checkHealth() {
      try {
        await transporter.verify();
        return {
          status: "healthy",
          detail: `SMTP server ${server} accepted the connection${
            smtp.auth === null ? "" : " and the login"
          }`,
        };
      } catch (error) {
        return { status: "unhealthy", detail: smtpDeliveryError(error, server).message };
      }
    },
    close() {
      transporter.close();
      return Promise.resolve();
    },
  };
}
