/**
 * A WebSocket client at the byte level, on a plain TCP connection: it does
 * the handshake, then reads only when the test says so. A client that stops
 * reading is what a slow dashboard looks like to the server (its TCP window
 * fills, then the server's socket buffer), which a WebSocket object cannot
 * do: it always reads.
 */

/** The server's answer to the upgrade request. */
export interface UpgradeAnswer {
  status: number;
  headers: Headers;
  /** The body of a refusal (empty on 101). */
  body: string;
}

/** A frame the server sent. */
export interface RawFrame {
  opcode: number;
  payload: Uint8Array;
}

/** A raw client after the handshake. */
export interface RawClient {
  answer: UpgradeAnswer;
  /**
   * Reads frames until a close frame (or the end of the connection); returns
   * the text messages and the close code and reason.
   */
  readUntilClose(timeoutMs?: number): Promise<{ texts: string[]; code: number; reason: string }>;
  close(): void;
}

const decoder = new TextDecoder();

/** Sends an upgrade request for `path` to 127.0.0.1:`port` and reads the answer's head only. */
export async function rawUpgrade(port: number, path: string): Promise<RawClient> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  await conn.write(new TextEncoder().encode(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  ));
  // Read up to the end of the head, keeping whatever follows it (frames, or a body).
  let buffered: Uint8Array = new Uint8Array(0);
  const chunk = new Uint8Array(16_384);
  let headEnd = -1;
  while (headEnd < 0) {
    const n = await conn.read(chunk);
    if (n === null) throw new Error("The server closed the connection before answering");
    buffered = concat(buffered, chunk.subarray(0, n));
    headEnd = decoder.decode(buffered).indexOf("\r\n\r\n");
  }
  const headText = decoder.decode(buffered).slice(0, headEnd);
  const headBytes = new TextEncoder().encode(headText).length + 4;
  let rest: Uint8Array = buffered.slice(headBytes);
  const [statusLine, ...lines] = headText.split("\r\n");
  const status = Number(statusLine!.split(" ")[1]);
  const headers = new Headers(lines.map((line) => {
    const at = line.indexOf(":");
    return [line.slice(0, at).trim(), line.slice(at + 1).trim()] as [string, string];
  }));
  let body = "";
  if (status !== 101) {
    const length = Number(headers.get("content-length") ?? 0);
    while (rest.length < length) {
      const n = await conn.read(chunk);
      if (n === null) break;
      rest = concat(rest, chunk.subarray(0, n));
    }
    body = decoder.decode(rest);
  }
  let open = true;
  return {
    answer: { status, headers, body },
    async readUntilClose(timeoutMs = 10_000) {
      const texts: string[] = [];
      const deadline = Date.now() + timeoutMs;
      let pending: Uint8Array = rest;
      while (Date.now() < deadline) {
        const parsed = takeFrame(pending);
        if (parsed) {
          pending = parsed.rest;
          const { opcode, payload } = parsed.frame;
          if (opcode === 0x8) {
            const code = payload.length >= 2 ? (payload[0]! << 8) | payload[1]! : 1005;
            return { texts, code, reason: decoder.decode(payload.subarray(2)) };
          }
          if (opcode === 0x1) texts.push(decoder.decode(payload));
          continue;
        }
        const n = await conn.read(chunk);
        if (n === null) return { texts, code: 1006, reason: "" };
        pending = concat(pending, chunk.subarray(0, n));
      }
      throw new Error(`No close frame within ${timeoutMs} ms (${texts.length} messages read)`);
    },
    close() {
      if (!open) return;
      open = false;
      conn.close();
    },
  };
}

/** One whole frame from the front of `bytes`, or null when more must be read. */
function takeFrame(bytes: Uint8Array): { frame: RawFrame; rest: Uint8Array } | null {
  if (bytes.length < 2) return null;
  const opcode = bytes[0]! & 0x0f;
  let length = bytes[1]! & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (bytes.length < 4) return null;
    length = (bytes[2]! << 8) | bytes[3]!;
    offset = 4;
  } else if (length === 127) {
    if (bytes.length < 10) return null;
    length = Number(new DataView(bytes.buffer, bytes.byteOffset + 2, 8).getBigUint64(0));
    offset = 10;
  }
  // Frames from a server are never masked (RFC 6455 section 5.1).
  if (bytes.length < offset + length) return null;
  return {
    frame: { opcode, payload: bytes.slice(offset, offset + length) },
    rest: bytes.subarray(offset + length),
  };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}
