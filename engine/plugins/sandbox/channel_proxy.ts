/**
 * A channel registered inside a sandbox, as the engine's outbox uses it:
 * `send` and `checkHealth` run in the plugin's Worker. A DeliveryError the
 * plugin throws keeps its `retriable`; the sandbox failing (a crash, a
 * timeout, a restart in progress) is a retriable DeliveryError, since the
 * message's dedup key makes a second attempt safe.
 */
import { isEngineError } from "../../errors.ts";
import { type Channel, type ChannelHealth, DeliveryError } from "../channel.ts";
import type { SandboxChannelInfo } from "./sandbox_worker.ts";
import type { Supervisor } from "./supervisor.ts";

/** What a channel proxy needs. */
export interface ChannelProxyOptions {
  supervisor: Supervisor;
  /** How long a send or health check may take before the Worker is restarted. */
  timeoutMs: number;
}

/** The engine-side Channel for `channel`, forwarding to the plugin's Worker. */
export function channelProxy(channel: SandboxChannelInfo, options: ChannelProxyOptions): Channel {
  const { supervisor, timeoutMs } = options;
  const checkHealth = async (): Promise<ChannelHealth> => {
    try {
      const { worker } = await supervisor.current();
      return await worker.call({ op: "channelHealth", channelId: channel.id }, { timeoutMs });
    } catch (error) {
      return { status: "unhealthy", detail: `the health check failed: ${messageOf(error)}` };
    }
  };
  return {
    id: channel.id,
    kind: channel.kind,
    async send(message, context) {
      try {
        const { worker } = await supervisor.current();
        return await worker.call(
          { op: "send", channelId: channel.id, message },
          { timeoutMs, signal: context.signal },
        );
      } catch (error) {
        if (isEngineError(error, "PLUGIN_UNAVAILABLE")) {
          throw new DeliveryError(error.message, { retriable: true, cause: error });
        }
        throw error;
      }
    },
    ...(channel.hasHealthCheck ? { checkHealth } : {}),
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
