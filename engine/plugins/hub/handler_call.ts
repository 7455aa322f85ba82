/**
 * One call of a plugin's handler: traced and measured like every plugin
 * delivery, given `timeoutMs` to finish. At the timeout its signal aborts and
 * the call counts as a failure; a handler that ignores the signal is left
 * behind, so a hanging plugin costs its own deliverer the timeout, nothing more.
 */
import type { EngineMetrics } from "../../ops/mod.ts";
import { tracePluginDelivery } from "../../ops/mod.ts";
import type { EventSubscriber, PluginEvent } from "../subscriber.ts";

/** How a call ended. */
export type CallOutcome =
  | { ok: true }
  | { ok: false; error: string; retriable: boolean };

const TIMED_OUT = Symbol("timed out");
const MAX_ERROR_LENGTH = 2_000;

/** Calls `subscriber.handle(event)`; never throws. */
export async function callHandler(
  subscriber: EventSubscriber,
  event: PluginEvent,
  options: { timeoutMs: number; metrics: EngineMetrics },
): Promise<CallOutcome> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new DOMException("The plugin's handler timed out", "TimeoutError"));
      resolve(TIMED_OUT);
    }, options.timeoutMs);
  });
  // Settles, never rejects: a handler left behind after its timeout may still fail later.
  const handled = Promise.resolve()
    .then(() => subscriber.handle(event, controller.signal))
    .then(() => null, (error: unknown) => ({ error }));
  try {
    await tracePluginDelivery(options.metrics, {
      plugin: subscriber.name,
      eventType: event.type,
      eventId: event.id,
    }, async () => {
      const result = await Promise.race([handled, timedOut]);
      if (result === TIMED_OUT) {
        throw new Error(
          `The handler did not finish within ${options.timeoutMs} ms (PLUGIN_HANDLER_TIMEOUT_MS)`,
        );
      }
      if (result !== null) throw result.error;
    });
    return { ok: true };
  } catch (error) {
    return { ok: false, error: describe(error), retriable: isRetriable(error) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A handler says a retry cannot help the way a channel does (DeliveryError
 * with `retriable: false`). Checked by shape, not class: an error from a
 * sandboxed plugin crosses the Worker boundary as a copy.
 */
function isRetriable(error: unknown): boolean {
  return !(typeof error === "object" && error !== null &&
    (error as { retriable?: unknown }).retriable === false);
}

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}
