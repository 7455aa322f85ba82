/**
 * A dashboard as the tests see it: a real WebSocket client that records
 * every message it gets, and the close code and reason, and can wait for them.
 */

/** A message of the feed, as JSON. */
// The feed's messages are whatever JSON the protocol defines; tests assert on their fields.
// deno-lint-ignore no-explicit-any
export type FeedMessage = Record<string, any>;

/** A connected client. */
export interface FeedClient {
  socket: WebSocket;
  messages: FeedMessage[];
  /** Resolves with the close code and reason when the socket closes. */
  closed: Promise<{ code: number; reason: string }>;
  /** The messages once `count` have arrived (or fails after `timeoutMs`, default 5 s). */
  waitFor(count: number, timeoutMs?: number): Promise<FeedMessage[]>;
  /** The first message of `type` after the first `from` messages, waiting for it. */
  next(type: string, from?: number, timeoutMs?: number): Promise<FeedMessage>;
  send(data: string | Uint8Array): void;
  close(): Promise<void>;
}

/** Connects to `url`; resolves once the socket is open. */
export async function connectFeed(url: string): Promise<FeedClient> {
  const socket = new WebSocket(url);
  const messages: FeedMessage[] = [];
  const wakers = new Set<() => void>();
  const wake = () => {
    for (const waker of wakers) waker();
  };
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.onclose = (event) => {
      resolve({ code: event.code, reason: event.reason });
      wake();
    };
  });
  socket.onmessage = (event) => {
    messages.push(JSON.parse(String(event.data)));
    wake();
  };
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve();
    socket.onerror = (event) =>
      reject(new Error(`Cannot connect to ${url}: ${(event as ErrorEvent).message}`));
  });
  let isClosed = false;
  closed.then(() => isClosed = true);
  const until = async (ready: () => boolean, what: string, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      const left = deadline - Date.now();
      if (left <= 0 || isClosed) {
        throw new Error(`${what}: got ${messages.length} message(s)${isClosed ? ", closed" : ""}`);
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wakers.delete(done);
          resolve();
        };
        const timer = setTimeout(done, left);
        wakers.add(done);
      });
    }
  };
  return {
    socket,
    messages,
    closed,
    async waitFor(count, timeoutMs = 5_000) {
      await until(() => messages.length >= count, `Waiting for ${count} message(s)`, timeoutMs);
      return messages.slice(0, count);
    },
    async next(type, from = 0, timeoutMs = 5_000) {
      const find = () => messages.slice(from).find((m) => m.type === type);
      await until(() => find() !== undefined, `Waiting for a "${type}" message`, timeoutMs);
      return find()!;
    },
    send(data) {
      socket.send(data);
    },
    async close() {
      if (socket.readyState === WebSocket.CLOSED) return;
      socket.close();
      await closed;
    },
  };
}
