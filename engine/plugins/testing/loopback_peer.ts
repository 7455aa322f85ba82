/**
 * A real HTTP server on loopback for a plugin's tests: it records what the
 * plugin sends and answers as the test says (a status, or never), so a test
 * sees the bytes a real endpoint would, failures included.
 */

/** One request as it arrived. */
export interface ReceivedRequest {
  method: string;
  /** Path and query, e.g. `/viral/notify?x=1`. */
  path: string;
  headers: Headers;
  body: string;
}

/** How the peer answers: a status, or `"hang"` to answer only when it is closed. */
export type PeerAnswer = number | "hang";

/** A running peer. */
export interface LoopbackPeer {
  /** `http://127.0.0.1:<port>` followed by the path asked for. */
  url: string;
  port: number;
  received: ReceivedRequest[];
  /** Sets how the next requests are answered (200 at first). */
  answer(with_: PeerAnswer): void;
  /** Resolves when `count` requests have arrived, or rejects after `timeoutMs` (default 5 s). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/** Starts a peer on 127.0.0.1 on a free port; `path` is appended to its `url`. */
export function startLoopbackPeer(path = ""): LoopbackPeer {
  const received: ReceivedRequest[] = [];
  const waiters: Array<() => void> = [];
  let next: PeerAnswer = 200;
  const closing = Promise.withResolvers<void>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      const url = new URL(request.url);
      received.push({
        method: request.method,
        path: url.pathname + url.search,
        headers: request.headers,
        body: await request.text(),
      });
      for (const wake of waiters.splice(0)) wake();
      if (next === "hang") {
        await closing.promise;
        return new Response("too late", { status: 200 });
      }
      return new Response(next < 300 ? "ok" : "no_service", { status: next });
    },
  );
  const port = server.addr.port;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    port,
    received,
    answer(with_) {
      next = with_;
    },
    async waitFor(count, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new Error(
            `The peer got ${received.length} requests, not ${count}, in ${timeoutMs} ms`,
          );
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return received.slice(0, count);
    },
    async close() {
      closing.resolve();
      await server.shutdown();
    },
  };
}
