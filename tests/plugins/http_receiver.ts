/**
 * A real HTTP server on loopback that records what channels post to it and
 * answers as each test tells it (status, or never).
 */

/** One request as it arrived. */
export interface ReceivedRequest {
  method: string;
  headers: Headers;
  body: string;
}

/** How the receiver answers: a status, or `"hang"` to answer only when it is closed. */
export type ReceiverAnswer = number | "hang";

/** A running receiver. */
export interface HttpReceiver {
  url: string;
  received: ReceivedRequest[];
  /** Sets how the next requests are answered (200 at first). */
  answer(with_: ReceiverAnswer): void;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 on a free port. */
export function startHttpReceiver(): HttpReceiver {
  const received: ReceivedRequest[] = [];
  let next: ReceiverAnswer = 200;
  const closing = Promise.withResolvers<void>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      received.push({
        method: request.method,
        headers: request.headers,
        body: await request.text(),
      });
      if (next === "hang") {
        await closing.promise;
        return new Response("too late", { status: 200 });
      }
      return new Response(next < 300 ? "ok" : "no_service", { status: next });
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}/hooks/T000/B000/secret-token`,
    received,
    answer(with_) {
      next = with_;
    },
    async close() {
      closing.resolve();
      await server.shutdown();
    },
  };
}
