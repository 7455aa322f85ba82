/**
 * The engine's API on a real port with the dashboard plugin running in its
 * plugin host, as main.ts serves it: WebSocket upgrades need a real server
 * (Hono's in-process app.request cannot upgrade).
 */
import { type ApiTest, withApi } from "../../helpers/api.ts";
import type { PluginEvent, RunningPlugin } from "../../../engine/plugins/mod.ts";
import type { DomainEventType } from "../../../engine/events/mod.ts";
import { firstPartyPlugin } from "../../../plugins/mod.ts";

/** What a test of the feed gets. */
export interface FeedServer {
  api: ApiTest;
  port: number;
  /** `ws://127.0.0.1:<port>/plugins/dashboard/ws?access_token=<admin>` plus `query`. */
  wsUrl(query?: Record<string, string>): string;
  /** The running plugin (it changes when the plugin is reconfigured). */
  plugin(): RunningPlugin;
  /** Delivers an event as the event hub would; ids count up from 1. */
  publish(
    type: DomainEventType,
    customerId: string | null,
    payload?: Record<string, unknown>,
  ): Promise<PluginEvent>;
}

/** Runs `fn` with the engine on a loopback port; `config` is stored as the plugin's configuration. */
export async function withFeedServer(
  fn: (feed: FeedServer) => Promise<void>,
  options: { env?: Record<string, string>; config?: Record<string, unknown> } = {},
): Promise<void> {
  await withApi(async (api) => {
    if (options.config) {
      const configured = await api.call("PUT", "/api/v1/plugins/dashboard", {
        config: options.config,
        reason: "test limits",
      });
      if (configured.status !== 200) throw new Error(JSON.stringify(configured.body));
    }
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, api.app.fetch);
    const port = server.addr.port;
    const plugin = () => {
      const running = api.plugins?.running("dashboard");
      if (!running) throw new Error("The dashboard plugin is not running");
      return running;
    };
    let nextId = 0;
    try {
      await fn({
        api,
        port,
        wsUrl(query = {}) {
          const params = new URLSearchParams({ access_token: api.tokens.admin, ...query });
          return `ws://127.0.0.1:${port}/plugins/dashboard/ws?${params}`;
        },
        plugin,
        async publish(type, customerId, payload = {}) {
          const at = new Date(Date.UTC(2026, 5, 15, 12, 0, 0, ++nextId)).toISOString();
          const event = { id: nextId, type, customerId, payload, occurredAt: at, recordedAt: at };
          await plugin().handle(event, AbortSignal.timeout(5_000));
          return event;
        },
      });
    } finally {
      // The plugin closes its clients first: the server waits for open connections to end.
      await api.plugins?.stop();
      await server.shutdown();
    }
  }, { ...(options.env ? { env: options.env } : {}), plugins: [firstPartyPlugin("dashboard")] });
}
