/**
 * The one mapping from errors to HTTP problem responses (RFC 9457,
 * `application/problem+json`). Nothing else builds error responses.
 */
import { z } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import { databaseUnavailable } from "../db/mod.ts";
import { EngineError, errorCatalog, type ErrorKind } from "../errors.ts";

const statusByKind: Record<ErrorKind, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  precondition_failed: 412,
  precondition_required: 428,
  rate_limited: 429,
  unprocessable: 422,
  not_found: 404,
  gone: 410,
  method_not_allowed: 405,
  conflict: 409,
  too_large: 413,
  unsupported_media_type: 415,
  unavailable: 503,
  internal: 500,
};

/** The shape of every error response. */
export const problemSchema = z.object({
  type: z.string().describe("Stable URI of the problem type: urn:cs-engine:problem:<code>"),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().describe("What was wrong and what to do about it"),
  code: z.string().describe("Stable error code, listed in docs/errors.md"),
  instance: z.string().describe("The request path"),
  requestId: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).describe(
    "Each bad field, by JSON path (events[3].occurredAt)",
  ),
}).openapi("Problem");

/** A problem response body. */
export type Problem = z.infer<typeof problemSchema>;

/** The HTTP status of an error. */
export function statusOf(error: EngineError): number {
  return statusByKind[error.kind];
}

/** Turns anything thrown while handling a request into an EngineError. */
export function asEngineError(error: unknown): EngineError {
  if (error instanceof EngineError) return error;
  const unavailable = databaseUnavailable(error);
  if (unavailable) return unavailable;
  if (error instanceof HTTPException) {
    if (error.status === 415) {
      return new EngineError(
        "UNSUPPORTED_MEDIA_TYPE",
        "Send the body as JSON with the header Content-Type: application/json",
      );
    }
    if (error.status === 400) {
      return new EngineError(
        "MALFORMED_JSON",
        "The body is not valid JSON: check quotes, commas and brackets (an empty body is not JSON either)",
      );
    }
    if (error.status === 413) {
      return new EngineError("PAYLOAD_TOO_LARGE", error.message);
    }
  }
  return new EngineError("INTERNAL", "Internal error", { cause: error });
}

/** The problem body for `error` on `path`. Internal errors say nothing about internals. */
export function problemOf(error: EngineError, path: string, requestId: string): Problem {
  const internal = error.kind === "internal" && error.code === "INTERNAL";
  return {
    type: `urn:cs-engine:problem:${error.code.toLowerCase().replaceAll("_", "-")}`,
    title: errorCatalog[error.code].title,
    status: statusOf(error),
    detail: internal
      ? `An unexpected error occurred; it was logged with request id ${requestId}`
      : error.message,
    code: error.code,
    instance: path,
    requestId,
    errors: [...error.issues],
  };
}

/** A Response carrying `problem`. */
export function problemResponse(problem: Problem, headers: HeadersInit = {}): Response {
  // A client that backs off on 503 should not hammer a database coming back.
  const retry: Record<string, string> = problem.status === 503 ? { "Retry-After": "5" } : {};
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { "content-type": "application/problem+json", ...retry, ...headers },
  });
}

/**
 * The answer to a request that reaches the engine after its shutdown delay,
 * while it finishes the requests in flight (Lifecycle.track, outside the
 * app). `Connection: close` so the client reconnects, to another instance.
 */
export function stoppingResponse(request: Request): Response {
  const requestId = request.headers.get("x-request-id")?.slice(0, 100) || crypto.randomUUID();
  const error = new EngineError(
    "ENGINE_STOPPING",
    "This engine is shutting down: send the request again, to another instance",
  );
  return problemResponse(problemOf(error, new URL(request.url).pathname, requestId), {
    connection: "close",
    "X-Request-Id": requestId,
  });
}
