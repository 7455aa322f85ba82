/**
 * One connected dashboard: its socket, its filter, and the messages it has
 * not taken yet. A client that falls behind is dropped, never buffered
 * without bound; one that keeps sending garbage is answered, then closed.
 * Nothing a client does reaches another client or the feed.
 */
import type { RequestActor } from "../../engine/plugins/mod.ts";
import { FrameQueue } from "./frame_queue.ts";
import {
  closeCodes,
  type FeedEventType,
  fieldsOf,
  frame,
  parseClientMessage,
  type ServerMessage,
  uniqueInFeedOrder,
} from "./protocol.ts";

/**
 * How much a socket may hold unsent before the feed keeps further messages
 * in its own queue, where they are counted against the client's limits.
 */
export const SOCKET_HIGH_WATER_BYTES = 64 * 1024;

/** A WebSocket has no "drain" event: a socket that is behind is looked at again this often. */
export const DRAIN_POLL_MS = 20;

/** How far a client may fall behind, and how much garbage it may send. */
export interface ClientLimits {
  maxQueuedMessages: number;
  maxQueuedBytes: number;
  maxInvalidMessages: number;
}

/** Why a client left: it was too slow, sent too much garbage, closed, or the feed stopped. */
export type ClientEnd = "slow" | "invalid" | "closed" | "stopped";

/** What a client is made with. */
export interface FeedClientOptions {
  socket: WebSocket;
  actor: RequestActor;
  events: readonly FeedEventType[];
  limits: ClientLimits;
  now: () => Date;
  /** Called once, when the client is gone. */
  onEnd(client: FeedClient, end: ClientEnd): void;
}

/** A connected client of the feed. */
export class FeedClient {
  readonly actor: RequestActor;
  readonly #socket: WebSocket;
  readonly #limits: ClientLimits;
  readonly #now: () => Date;
  readonly #onEnd: FeedClientOptions["onEnd"];
  readonly #queue = new FrameQueue();
  #events: ReadonlySet<FeedEventType>;
  #seq = 0;
  #invalid = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ended = false;
  // Set after the last invalid message allowed: what is queued goes out, then the socket closes.
  #closing: { code: number; reason: string } | null = null;

  constructor(options: FeedClientOptions) {
    this.actor = options.actor;
    this.#socket = options.socket;
    this.#limits = options.limits;
    this.#now = options.now;
    this.#onEnd = options.onEnd;
    this.#events = new Set(options.events);
    this.#socket.onopen = () => this.#flush();
    this.#socket.onmessage = (message) => this.#receive(message.data);
    this.#socket.onclose = () => this.#end("closed");
    // A close event follows every error; the error itself says nothing the close does not.
    this.#socket.onerror = () => {};
  }

  /** The event types it asked for. */
  get events(): FeedEventType[] {
    return [...this.#events];
  }

  /** Messages waiting in the feed's queue for this client. */
  get behind(): number {
    return this.#queue.length;
  }

  /** Whether it gets events of `type`. */
  wants(type: FeedEventType): boolean {
    return this.#events.has(type);
  }

  /** Sends `message` (queued when the client is behind). */
  send(message: ServerMessage): void {
    this.sendFields(message.type, fieldsOf(message));
  }

  /**
   * Sends a message serialized once for every client (protocol.ts, frame()).
   * A client now further behind than its limits allow is dropped.
   */
  sendFields(type: ServerMessage["type"], fields: string): void {
    if (this.#ended || this.#closing) return;
    this.#queue.push({ type, fields });
    const { maxQueuedMessages, maxQueuedBytes } = this.#limits;
    if (this.#queue.length > maxQueuedMessages || this.#queue.bytes > maxQueuedBytes) {
      const reason = `too slow: ${this.#queue.length} messages behind`;
      this.close(closeCodes.tryAgainLater, reason, "slow");
      return;
    }
    this.#flush();
  }

  /** Closes the socket with `code` and `reason` and forgets what was queued. */
  close(code: number, reason: string, end: ClientEnd): void {
    if (this.#ended) return;
    this.#end(end);
    try {
      this.#socket.close(code, reason);
    } catch {
      // Already closing or closed: the client is gone either way.
    }
  }

  #flush(): void {
    if (this.#ended) return;
    // Connecting: onopen flushes. Closing or closed: onclose ends the client.
    if (this.#socket.readyState !== WebSocket.OPEN) return;
    try {
      while (this.#queue.length > 0 && this.#socket.bufferedAmount < SOCKET_HIGH_WATER_BYTES) {
        const next = this.#queue.shift()!;
        this.#socket.send(frame(++this.#seq, next.type, next.fields));
      }
    } catch {
      this.#end("closed");
      return;
    }
    if (this.#queue.length > 0) {
      this.#timer ??= setTimeout(() => {
        this.#timer = undefined;
        this.#flush();
      }, DRAIN_POLL_MS);
    } else if (this.#closing) {
      this.close(this.#closing.code, this.#closing.reason, "invalid");
    }
  }

  #receive(data: unknown): void {
    if (this.#ended || this.#closing) return;
    const parsed = parseClientMessage(data);
    if (parsed.ok) {
      const message = parsed.message;
      if (message.type === "ping") {
        this.send({ type: "pong", serverTime: this.#now().toISOString(), id: message.id ?? null });
      } else {
        this.#events = new Set(uniqueInFeedOrder(message.events));
        this.send({ type: "subscribed", events: this.events });
      }
      return;
    }
    this.#invalid++;
    const max = this.#limits.maxInvalidMessages;
    this.send({
      type: "error",
      code: "INVALID_MESSAGE",
      message: this.#invalid >= max
        ? `${parsed.problem}; that is ${max} invalid messages, so the connection closes`
        : parsed.problem,
      invalidMessages: this.#invalid,
      maxInvalidMessages: max,
    });
    if (this.#invalid >= max) {
      this.#closing = {
        code: closeCodes.policyViolation,
        reason: `closed after ${max} invalid messages`,
      };
      this.#flush();
    }
  }

  #end(end: ClientEnd): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queue.clear();
    this.#onEnd(this, end);
  }
}
