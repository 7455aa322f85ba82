/**
 * PostgreSQL cannot store the NUL character (U+0000) in text or jsonb, so a
 * string holding one would fail deep in a write. This middleware refuses it
 * up front, naming where it is, for JSON bodies and query parameters.
 */
import type { MiddlewareHandler } from "hono";
import { EngineError, formatPath } from "../errors.ts";
import type { ApiEnv } from "./deps.ts";

/** The middleware. */
export function rejectNulCharacters(): MiddlewareHandler<ApiEnv> {
  return async function checkNul(c, next) {
    // A NUL can only reach the query percent-encoded: parse it only then (most requests never).
    if (/%00/.test(c.req.url)) {
      for (const [name, value] of new URL(c.req.url).searchParams) {
        if (name.includes("\0") || value.includes("\0")) {
          throw nulAt(`query.${name.replaceAll("\0", "")}`);
        }
      }
    }
    if (c.req.header("content-type")?.includes("json")) {
      // Parsed once: the route's validator reuses Hono's cached body. Bad JSON
      // is left to the validator, which answers MALFORMED_JSON.
      const body: unknown = await c.req.json().catch(() => undefined);
      const path = findNul(body, []);
      if (path) throw nulAt(formatPath(path) || "(body)");
    }
    await next();
  };
}

function findNul(value: unknown, path: PropertyKey[]): PropertyKey[] | null {
  if (typeof value === "string") return value.includes("\0") ? path : null;
  if (value === null || typeof value !== "object") return null;
  for (const [key, item] of Object.entries(value)) {
    if (key.includes("\0")) return [...path, key.replaceAll("\0", "\\u0000")];
    const found = findNul(item, [...path, Array.isArray(value) ? Number(key) : key]);
    if (found) return found;
  }
  return null;
}

function nulAt(path: string): EngineError {
  return new EngineError(
    "VALIDATION_FAILED",
    `Invalid request: ${path}: contains the NUL character (\\u0000), which cannot be stored; remove it`,
    { issues: [{ path, message: "contains the NUL character (\\u0000), which cannot be stored" }] },
  );
}
