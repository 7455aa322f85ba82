/**
 * How the report routes answer: JSON or CSV by content negotiation
 * (`?format=` first, then `Accept: text/csv`), served from the report cache
 * with headers that show it (`Cache-Control: max-age`, `Age`, `X-Cache`),
 * and `?fresh=true` for admins to compute past the cache.
 */
import type { Context } from "hono";
import { z } from "@hono/zod-openapi";
import { EngineError } from "../errors.ts";
import { type Cached, toCsv } from "../reports/mod.ts";
import { actorOf } from "./actor.ts";
import type { ApiEnv } from "./deps.ts";

// Years PostgreSQL and JavaScript dates agree on, and no report needs more: year 0000 would
// pass the ISO format and then fail in the database.
const inRange = (text: string) => text >= "1900" && text < "3000";
const RANGE = "must be in the years 1900 to 2999";

/** A day of a report's range, `YYYY-MM-DD`. */
export const reportDate = z.iso.date().refine(inRange, RANGE);

/** A month of a report's range, `YYYY-MM`. */
export const reportMonth = z.string().regex(
  /^\d{4}-(0[1-9]|1[0-2])$/,
  "must be a month like 2026-06",
)
  .refine(inRange, RANGE);

/** An instant or a day (the start of its UTC day). */
export const reportInstant = z.iso.datetime({ offset: true }).or(z.iso.date()).refine(
  inRange,
  RANGE,
);

/** The query parameters every report shares. */
export const reportQuery = {
  format: z.enum(["json", "csv"]).optional().openapi({
    description: "json or csv; without it, `Accept: text/csv` asks for CSV",
  }),
  fresh: z.enum(["true", "false"]).default("false").openapi({
    description: "Admins only: compute the report now instead of serving the cached one",
  }),
};

/** Whether the request may and does ask to bypass the cache. */
export function wantsFresh(c: Context<ApiEnv>, fresh: "true" | "false"): boolean {
  if (fresh !== "true") return false;
  if (actorOf(c).role !== "admin") {
    throw new EngineError(
      "FORBIDDEN",
      "Only admins may bypass the report cache with fresh=true; leave it out to get the cached report",
    );
  }
  return true;
}

/** The answer: `json` as JSON, or `rows` under `columns` as CSV, with the cache's headers. */
export function reportResponse<R extends object>(
  c: Context<ApiEnv>,
  report: {
    cached: Cached<unknown>;
    format: "json" | "csv" | undefined;
    json: unknown;
    columns: ReadonlyArray<keyof R & string>;
    rows: readonly R[];
    filename: string;
  },
): Response {
  const { cached } = report;
  const headers: Record<string, string> = {
    // Reports are per token: no shared cache may keep them.
    "Cache-Control": `private, max-age=${cached.ttlSeconds}`,
    Age: String(cached.ageSeconds),
    "X-Cache": cached.status,
    Vary: "Accept",
  };
  if (wantsCsv(c, report.format)) {
    return c.body(toCsv(report.columns, report.rows), 200, {
      ...headers,
      "Content-Type": "text/csv; charset=utf-8; header=present",
      "Content-Disposition": `attachment; filename="${report.filename}.csv"`,
    });
  }
  return c.json(report.json, 200, headers);
}

function wantsCsv(c: Context<ApiEnv>, format: "json" | "csv" | undefined): boolean {
  if (format !== undefined) return format === "csv";
  const accept = c.req.header("accept") ?? "";
  return /(^|,)\s*text\/csv\b/i.test(accept);
}

/** CSV content for the OpenAPI document. */
export const csvContent = {
  "text/csv": {
    schema: z.string().openapi({ description: "The rows as CSV (RFC 4180) with a header row" }),
  },
};
