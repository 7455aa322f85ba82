/**
 * Recognizes errors that mean "the database is gone" (connection refused,
 * dropped, server shutting down, embedded database closed), so callers can
 * answer DATABASE_UNAVAILABLE (503, try again) instead of an internal error.
 */
import { EngineError } from "../errors.ts";

// postgres.js's own connection codes and Node's socket errors.
const CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
]);

// SQLSTATE: class 08 is connection exceptions; 57P01–57P03 are the server
// shutting down, crashing or not yet accepting connections.
const SERVER_GONE = /^(08...|57P0[123])$/;

/** DATABASE_UNAVAILABLE for a lost-database error, or null for any other error. */
export function databaseUnavailable(error: unknown): EngineError | null {
  if (error instanceof EngineError) return error.code === "DATABASE_UNAVAILABLE" ? error : null;
  const code = (error as { code?: unknown } | null)?.code;
  const lost = typeof code === "string" && (CONNECTION_CODES.has(code) || SERVER_GONE.test(code));
  const closed = error instanceof Error && error.message === "PGlite is closed";
  if (!lost && !closed) return null;
  return new EngineError(
    "DATABASE_UNAVAILABLE",
    `The database stopped answering (${lost ? code : "embedded database closed"}). ` +
      "Retry once it is back: events are deduplicated by id and customer writes are " +
      "idempotent, so a retry never doubles anything",
    { cause: error },
  );
}
