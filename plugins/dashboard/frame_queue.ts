/**
 * Messages waiting for a socket, counted in messages and UTF-8 bytes, so the
 * feed bounds what it holds for one reader: a client whose queue grows past
 * its limits is dropped; the push endpoint's queue loses its oldest.
 */
import type { ServerMessage } from "./protocol.ts";

/** A message waiting: its type, and its other fields as JSON (serialized once per broadcast). */
export interface PendingMessage {
  type: ServerMessage["type"];
  fields: string;
}

/** A first-in, first-out queue of messages. */
export class FrameQueue {
  #items: PendingMessage[] = [];
  // Index of the first message: shift() on a long array copies it, this does not.
  #head = 0;
  #bytes = 0;

  /** Messages waiting. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Their size in UTF-8 bytes, about as they go over the wire. */
  get bytes(): number {
    return this.#bytes;
  }

  push(message: PendingMessage): void {
    this.#items.push(message);
    this.#bytes += sizeOf(message);
  }

  /** The oldest message, removed; undefined when empty. */
  shift(): PendingMessage | undefined {
    if (this.length === 0) return undefined;
    const message = this.#items[this.#head]!;
    this.#head++;
    this.#bytes -= sizeOf(message);
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return message;
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
    this.#bytes = 0;
  }
}

// The type and sequence number a frame adds are a few dozen bytes: counted as 32.
function sizeOf(message: PendingMessage): number {
  return utf8Length(message.fields) + 32;
}

/** The UTF-8 length of `text`, without encoding it. */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      // A surrogate pair: 4 bytes for its 2 UTF-16 units.
      bytes += 2;
      i++;
    } else if (code >= 0x800) bytes += 2;
    else if (code >= 0x80) bytes += 1;
  }
  return bytes;
}
