/**
 * One JSON POST for a channel that delivers over HTTP (Slack, webhooks),
 * with the outcome classified the way the outbox needs it: a DeliveryError
 * that says whether trying again later can help.
 */
import { DeliveryError } from "./channel.ts";

/** Options of postJson. */
export interface PostJsonOptions {
  /** Names the receiver in messages ("Slack", "the webhook receiver"); never the URL, which may hold a secret. */
  receiver: string;
  headers?: Record<string, string>;
  /** The send's own signal (the outbox cancels at shutdown). */
  signal: AbortSignal;
  /** How long the receiver has to answer. */
  timeoutMs: number;
}

/** What the receiver answered, for a channel that reads it. */
export interface PostJsonResult {
  status: number;
  body: string;
}

// Rate limited, or the receiver's own trouble: a later attempt can succeed.
const RETRIABLE_STATUS = (status: number) => status === 408 || status === 429 || status >= 500;
const SNIPPET = 200;

/**
 * POSTs `body` (JSON text) to `url`. Resolves on a 2xx answer; throws a
 * DeliveryError otherwise: retriable for timeouts, network failures, 408,
 * 429 and 5xx, not retriable for redirects and other 4xx.
 */
export async function postJson(
  url: string,
  body: string,
  options: PostJsonOptions,
): Promise<PostJsonResult> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...options.headers },
      body,
      // A redirected POST turns into a GET: report it instead of following it.
      redirect: "manual",
      signal: AbortSignal.any([options.signal, timeout]),
    });
  } catch (error) {
    throw new DeliveryError(failureMessage(options, timeout, error), {
      retriable: true,
      cause: error,
    });
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw new DeliveryError(
      `${subject(options)} answered ${response.status} but its body did not arrive: ${
        failureMessage(options, timeout, error)
      }`,
      { retriable: true, cause: error },
    );
  }
  if (response.ok) return { status: response.status, body: text };
  const snippet = text.length > SNIPPET ? `${text.slice(0, SNIPPET)}…` : text;
  const answer = `${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
  if (response.status >= 300 && response.status < 400) {
    throw new DeliveryError(
      `${subject(options)} answered ${answer} (a redirect): configure the URL it redirects to`,
      { retriable: false },
    );
  }
  throw new DeliveryError(
    `${subject(options)} answered ${answer}${snippet ? `: ${snippet}` : ""}`,
    { retriable: RETRIABLE_STATUS(response.status) },
  );
}

function failureMessage(options: PostJsonOptions, timeout: AbortSignal, error: unknown): string {
  if (timeout.aborted) return `${subject(options)} did not answer within ${options.timeoutMs} ms`;
  if (options.signal.aborted) return `The send to ${options.receiver} was cancelled`;
  const message = error instanceof Error ? error.message : String(error);
  // Fetch errors quote the URL, and a webhook URL's path is often its credential.
  return `Cannot reach ${options.receiver}: ${message.replace(/\bhttps?:\/\/[^\s)]+/g, "<url>")}`;
}

/** The receiver's name at the start of a sentence. */
function subject(options: PostJsonOptions): string {
  return options.receiver.charAt(0).toUpperCase() + options.receiver.slice(1);
}
