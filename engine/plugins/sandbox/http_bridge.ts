/**
 * Requests and responses across the Worker boundary. A Request cannot be
 * posted to a Worker, so its method, URL, headers and body bytes are; the
 * plugin's routes answer inside the Worker and the response comes back the
 * same way. Bodies are read whole: a streamed response (server-sent events)
 * or a WebSocket upgrade cannot cross, which docs/plugin-sandbox.md says.
 */
import type { SerializedRequest, SerializedResponse } from "./protocol.ts";

/** Statuses whose response must not have a body (the Response constructor throws otherwise). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** The parts of `request`, with its body read. */
export async function serializeRequest(request: Request): Promise<SerializedRequest> {
  const body = request.body === null ? null : await request.arrayBuffer();
  return { method: request.method, url: request.url, headers: [...request.headers], body };
}

/** A Request again, inside the Worker. */
export function deserializeRequest(request: SerializedRequest): Request {
  const hasBody = request.body !== null && request.method !== "GET" && request.method !== "HEAD";
  return new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body: hasBody ? request.body : null,
  });
}

/** The parts of `response`, with its body read. */
export async function serializeResponse(response: Response): Promise<SerializedResponse> {
  const body = response.body === null ? null : await response.arrayBuffer();
  return {
    status: response.status,
    statusText: response.statusText,
    headers: [...response.headers],
    body,
  };
}

/** A Response again, in the engine. */
export function deserializeResponse(response: SerializedResponse): Response {
  return new Response(NULL_BODY.has(response.status) ? null : response.body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/** The buffers a message can hand over instead of copying. */
export function transferables(value: SerializedRequest | SerializedResponse): ArrayBuffer[] {
  return value.body === null ? [] : [value.body];
}
