/**
 * A WebSocket server on loopback standing in for DASHBOARD_WS_ENDPOINT: it
 * records each connection's messages, and can be stopped and started again
 * on the same port, as an endpoint restarts.
 */
import type { FeedMessage } from "./feed_client.ts";

/** A running receiver. */
export interface WsReceiver {
  port: number;
  url: string;
  /** The messages of each connection so far, in connection order. */
  connections: FeedMessage[][];
  /** Resolves once `connection` (0-based) has `count` messages; fails after `timeoutMs`. */
  waitFor(connection: number, count: number, timeoutMs?: number): Promise<FeedMessage[]>;
  /** Closes every connection (1012, service restart) and stops listening; once is enough. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  restart(): void;
}

/** Starts a receiver on 127.0.0.1 on a free port. */
export function startWsReceiver(): WsReceiver {
  const connections: FeedMessage[][] = [];
  const sockets = new Set<WebSocket>();
  const serve = (port: number) =>
    Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, (request) => {
      const { socket, response } = Deno.upgradeWebSocket(request);
      const messages: FeedMessage[] = [];
      connections.push(messages);
      sockets.add(socket);
      socket.onmessage = (event) => messages.push(JSON.parse(String(event.data)));
      socket.onclose = () => sockets.delete(socket);
      return response;
    });
  let server = serve(0);
  let listening = true;
  const port = server.addr.port;
  return {
    port,
    url: `ws://127.0.0.1:${port}/feed`,
    connections,
    async waitFor(connection, count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while ((connections[connection]?.length ?? 0) < count) {
        if (Date.now() > deadline) {
          throw new Error(
            `Connection ${connection} got ${connections[connection]?.length ?? "no"} message(s), ` +
              `not ${count}, in ${timeoutMs} ms (${connections.length} connection(s))`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return connections[connection]!.slice(0, count);
    },
    async stop() {
      if (!listening) return;
      listening = false;
      const closed = [...sockets].map((socket) =>
        new Promise<void>((resolve) => {
          socket.addEventListener("close", () => resolve());
          socket.close(1012, "restarting");
        })
      );
      await Promise.all(closed);
      await server.shutdown();
    },
    restart() {
      server = serve(port);
      listening = true;
    },
  };
}
