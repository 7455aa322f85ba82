/**
 * The channels the running plugins registered, as interventions reach them:
 * by id, else by kind. The list is read on every call, so a plugin enabled or
 * disabled through the API takes effect at the next delivery.
 */
import type { Logger } from "../log.ts";
import type { Channel, ChannelHealth, ChannelKind } from "./channel.ts";

/** One channel's health, as the registry reports it. */
export interface ChannelHealthReport extends ChannelHealth {
  id: string;
  kind: ChannelKind;
}

/** The channels the loaded plugins registered. */
export interface ChannelRegistry {
  /**
   * The channel with this id, else the first registered channel of this
   * kind (first-party channels' ids are their kinds: `get("email")`).
   */
  get(kind: string): Channel | undefined;
  /** Every registered channel, in registration order. */
  list(): readonly Channel[];
  /** Every channel's health; a check that throws or hangs is reported as unhealthy. */
  checkHealth(): Promise<ChannelHealthReport[]>;
  /** Closes every channel (SMTP pools, …); failures are logged, not thrown. */
  closeAll(): Promise<void>;
}

/** A registry over `channels()`, read at each call. */
export function channelRegistry(
  channels: () => readonly Channel[],
  options: { log: Logger; healthTimeoutMs?: number },
): ChannelRegistry {
  const timeoutMs = options.healthTimeoutMs ?? 5_000;
  return {
    get: (kind) => channels().find((c) => c.id === kind) ?? channels().find((c) => c.kind === kind),
    list: () => [...channels()],
    checkHealth: () =>
      Promise.all(
        channels().map(async (channel) => ({
          id: channel.id,
          kind: channel.kind,
          ...await healthOf(channel, timeoutMs),
        })),
      ),
    async closeAll() {
      for (const channel of channels()) {
        try {
          await channel.close?.();
        } catch (error) {
          options.log.warn("closing a channel failed", { channel: channel.id, error });
        }
      }
    },
  };
}

/** A channel's health, never throwing and never taking longer than `timeoutMs`. */
async function healthOf(channel: Channel, timeoutMs: number): Promise<ChannelHealth> {
  if (!channel.checkHealth) return { status: "healthy", detail: "no health check of its own" };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<ChannelHealth>((resolve) => {
    timer = setTimeout(
      () => resolve({ status: "unhealthy", detail: `no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([channel.checkHealth(), timeout]);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { status: "unhealthy", detail: `the health check failed: ${message}` };
  } finally {
    clearTimeout(timer);
  }
}
