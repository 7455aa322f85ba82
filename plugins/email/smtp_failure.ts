/**
 * Turns what nodemailer throws into a DeliveryError that says whether a later
 * attempt can help: SMTP 4xx replies and connection trouble can pass, 5xx
 * replies (550 mailbox unavailable, 553 bad address) will be given again.
 */
import { DeliveryError } from "../../engine/plugins/mod.ts";

/** The fields nodemailer sets on its errors (nodemailer's NodemailerError). */
interface SmtpError {
  code?: string;
  /** The SMTP reply code, when the server answered with an error. */
  responseCode?: number;
  /** The server's reply text. */
  response?: string;
  /** Set with responseCode: true for a rejection the server will repeat (5xx but 503). */
  permanent?: boolean;
}

// Failures of the channel, not of the message: each one can pass once the
// server is back or SMTP_URL is fixed, so the message waits for that.
const CHANNEL_FAILURES = new Set([
  "ECONNECTION",
  "ETIMEDOUT",
  "ESOCKET",
  "EDNS",
  "ETLS",
  "EPROTOCOL",
  "EAUTH",
  "ENOAUTH",
  "EOAUTH2",
  "EPROXY",
  "EMAXLIMIT",
]);
// Failures of the message itself: sending it again fails again.
const MESSAGE_FAILURES = new Set(["EENVELOPE", "EMESSAGE", "ECONFIG", "EMAXRECIPIENTS"]);

/** A DeliveryError for `error`, thrown while sending through `server` (host:port). */
export function smtpDeliveryError(error: unknown, server: string): DeliveryError {
  const smtp = (typeof error === "object" && error !== null ? error : {}) as SmtpError;
  const message = error instanceof Error ? error.message : String(error);
  if (smtp.code === "EABORT" || (error instanceof Error && error.name === "AbortError")) {
    return new DeliveryError(`The send through ${server} was cancelled`, {
      retriable: true,
      cause: error,
    });
  }
  if (smtp.code === "EAUTH" || smtp.code === "ENOAUTH") {
    return new DeliveryError(
      `SMTP server ${server} refused the login (${smtp.response ?? message}): ` +
        "check the user and password in SMTP_URL",
      { retriable: true, cause: error },
    );
  }
  if (typeof smtp.responseCode === "number") {
    const permanent = smtp.permanent ??
      (smtp.responseCode >= 500 && smtp.responseCode !== 503);
    const reply = smtp.response ?? `${smtp.responseCode}`;
    return new DeliveryError(
      permanent
        ? `SMTP server ${server} rejected the message for good: ${reply}`
        : `SMTP server ${server} deferred the message: ${reply}`,
      { retriable: !permanent, cause: error },
    );
  }
  if (smtp.code !== undefined && MESSAGE_FAILURES.has(smtp.code)) {
    return new DeliveryError(`The message cannot be sent: ${message}`, {
      retriable: false,
      cause: error,
    });
  }
  const reach = smtp.code !== undefined && CHANNEL_FAILURES.has(smtp.code)
    ? `Cannot reach SMTP server ${server}`
    : `Sending through SMTP server ${server} failed`;
  // Unknown failures are taken as passing: giving up on a message is the costlier mistake.
  return new DeliveryError(`${reach}: ${message}`, { retriable: true, cause: error });
}
