/**
 * The feed pushed to DASHBOARD_WS_ENDPOINT: the plugin keeps a WebSocket to
 * it and sends what a client of /ws gets (unfiltered, without an actor).
 * When the endpoint drops or cannot be reached the plugin connects again,
 * waiting longer after each failure (exponential backoff with jitter, so
 * many engines do not knock at once), and keeps the newest messages meanwhile
 * in a bounded buffer: the oldest are dropped first and counted, and each
 * new connection's hello says how many were lost so far.
 */
import { redactUrl } from "../../engine/config.ts";
import type { Logger } from "../../engine/log.ts";
import { DRAIN_POLL_MS, SOCKET_HIGH_WATER_BYTES } from "./client.ts";
import { FrameQueue } from "./frame_queue.ts";
import { fieldsOf, frame, type HelloMessage, type ServerMessage } from "./protocol.ts";

/** How long to wait before connecting again: the first wait, and the longest. */
export interface Backoff {
  initialMs: number;
  maxMs: number;
}

/** The default backoff: a quarter second, doubling, up to 30 s. */
export const defaultBackoff: Backoff = { initialMs: 250, maxMs: 30_000 };

/** What the push link is made with. */
export interface PushLinkOptions {
  url: string;
  /** Messages kept while the endpoint is unreachable (or slow); the oldest are dropped first. */
  bufferMessages: number;
  /** The hello of each new connection (the link adds `dropped`). */
  hello(): HelloMessage;
  log: Logger;
  now?: () => Date;
  random?: () => number;
  backoff?: Backoff;
}

/** What the link is doing, for health and the status route. */
export interface PushStatus {
  /** The endpoint, with any password or query value redacted. */
  endpoint: string;
  connected: boolean;
  /** When it last connected or lost the connection. */
  since: string;
  /** Messages dropped while the endpoint was unreachable or too slow. */
  dropped: number;
  /** Messages waiting to be sent. */
  waiting: number;
  /** Why the last connection ended or failed; null when none did. */
  lastError: string | null;
  /** Connections made so far. */
  connections: number;
}

/** A WebSocket client to the push endpoint that reconnects by itself. */
export class PushLink {
  readonly #options: PushLinkOptions;
  readonly #now: () => Date;
  readonly #random: () => number;
  readonly #backoff: Backoff;
  readonly #queue = new FrameQueue();
  #socket: WebSocket | null = null;
  #connected = false;
  #since: Date;
  #seq = 0;
  #dropped = 0;
  #failures = 0;
  #connections = 0;
  #lastError: string | null = null;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #drain: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  constructor(options: PushLinkOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
    this.#random = options.random ?? Math.random;
    this.#backoff = options.backoff ?? defaultBackoff;
    this.#since = this.#now();
  }

  /** Connects; failures are retried until stop(). */
  start(): void {
    this.#connect();
  }

  /** Sends a message, or keeps it until the endpoint takes it. */
  send(message: ServerMessage): void {
    this.sendFields(message.type, fieldsOf(message));
  }

  /** Sends a message serialized once for every reader (protocol.ts, frame()). */
  sendFields(type: ServerMessage["type"], fields: string): void {
    if (this.#stopped) return;
    // A heartbeat says the connection lives: kept for later it would say nothing.
    if (type === "heartbeat" && !this.#connected) return;
    this.#queue.push({ type, fields });
    while (this.#queue.length > this.#options.bufferMessages) {
      this.#queue.shift();
      this.#dropped++;
    }
    this.#flush();
  }

  /** What the link is doing. */
  status(): PushStatus {
    return {
      endpoint: redactUrl(this.#options.url),
      connected: this.#connected,
      since: this.#since.toISOString(),
      dropped: this.#dropped,
      waiting: this.#queue.length,
      lastError: this.#lastError,
      connections: this.#connections,
    };
  }

  /** Closes the connection and stops reconnecting; resolves once it is closed (at most 1 s). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    clearTimeout(this.#drain);
    this.#queue.clear();
    const socket = this.#socket;
    this.#socket = null;
    this.#connected = false;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1_000);
      socket.addEventListener("close", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    try {
      // A client may only close with 1000 or 3000-4999 (WHATWG WebSocket); 1001 is the server's.
      socket.close(1000, "the engine's dashboard feed is stopping");
    } catch {
      // Already closing.
    }
    await closed;
  }

  #connect(): void {
    if (this.#stopped) return;
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.#options.url);
    } catch (error) {
      this.#lost(null, error instanceof Error ? error.message : String(error));
      return;
    }
    this.#socket = socket;
    socket.onopen = () => {
      if (this.#socket !== socket) return;
      this.#connected = true;
      this.#since = this.#now();
      this.#failures = 0;
      this.#connections++;
      this.#seq = 0;
      this.#options.log.info("connected to the push endpoint", {
        endpoint: redactUrl(this.#options.url),
      });
      // The hello goes first on every connection, ahead of what waited for it.
      socket.send(
        frame(++this.#seq, "hello", fieldsOf({ ...this.#options.hello(), dropped: this.#dropped })),
      );
      this.#flush();
    };
    // The endpoint has nothing to tell the feed; what it sends is ignored.
    socket.onmessage = () => {};
    socket.onerror = (event) => {
      if (event instanceof ErrorEvent && event.message) this.#lastError = event.message;
    };
    socket.onclose = (event) => {
      const why = event.code === 1006 || event.code === 1005
        ? (this.#lastError ?? "the connection was lost")
        : `closed with ${event.code}${event.reason ? ` (${event.reason})` : ""}`;
      this.#lost(socket, why);
    };
  }

  /** The connection ended or could not be made: try again after the backoff. */
  #lost(socket: WebSocket | null, why: string): void {
    if (socket !== this.#socket || this.#stopped) return;
    this.#socket = null;
    const wasConnected = this.#connected;
    this.#connected = false;
    this.#lastError = why;
    if (wasConnected) this.#since = this.#now();
    clearTimeout(this.#drain);
    this.#drain = undefined;
    const ceiling = Math.min(this.#backoff.maxMs, this.#backoff.initialMs * 2 ** this.#failures);
    this.#failures = Math.min(this.#failures + 1, 30);
    // Half the ceiling, plus up to half again at random.
    const delay = Math.round(ceiling / 2 + (ceiling / 2) * this.#random());
    this.#options.log.warn("the push endpoint is unreachable; connecting again", {
      endpoint: redactUrl(this.#options.url),
      error: why,
      retryInMs: delay,
    });
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => this.#connect(), delay);
  }

  #flush(): void {
    const socket = this.#socket;
    if (!socket || !this.#connected || socket.readyState !== WebSocket.OPEN) return;
    while (this.#queue.length > 0 && socket.bufferedAmount < SOCKET_HIGH_WATER_BYTES) {
      const next = this.#queue.shift()!;
      socket.send(frame(++this.#seq, next.type, next.fields));
    }
    if (this.#queue.length > 0) {
      this.#drain ??= setTimeout(() => {
        this.#drain = undefined;
        this.#flush();
      }, DRAIN_POLL_MS);
    }
  }
}
