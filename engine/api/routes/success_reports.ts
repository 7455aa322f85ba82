/**
 * Success reports: daily success metrics (from mv_success_metrics), monthly
 * churn and cohorts, each as JSON or CSV, cached (docs/reports.md).
 */
import { createRoute, z } from "@hono/zod-openapi";
import { DAY_MS } from "../../clock.ts";
import { EngineError } from "../../errors.ts";
import {
  cohortColumns,
  type CohortDimension,
  cohortDimensions,
  cohortReport,
  dailyMetrics,
  dailyMetricsColumns,
  lastSuccessMetricsRefresh,
  monthlyChurn,
  monthlyChurnColumns,
  type ReportCache,
  reportKey,
  reportTtls,
} from "../../reports/mod.ts";
import type { Api, ApiDeps } from "../deps.ts";
import {
  csvContent,
  reportDate,
  reportMonth,
  reportQuery,
  reportResponse,
  wantsFresh,
} from "../report_output.ts";
import { problems } from "../schemas.ts";
import { cohortsSchema, dailyMetricsSchema, monthlyChurnSchema } from "./report_schemas.ts";

const MAX_DAYS = 3660;
const MAX_MONTHS = 120;

/** Registers the daily metrics, monthly churn and cohort routes. */
export function registerSuccessReportRoutes(app: Api, deps: ApiDeps, cache: ReportCache): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/reports/success-metrics",
      operationId: "dailySuccessMetrics",
      summary: "Daily success metrics: health, at-risk, churn, interventions and their success",
      description: "One row per UTC day of [from, to] from the materialized view " +
        "mv_success_metrics, refreshed on SUCCESS_METRICS_REFRESH_SCHEDULE; `refreshedAt` says " +
        `when. Cached for ${reportTtls.dashboardMetrics} s (the seed's dashboardMetrics).`,
      tags: ["Reports"],
      request: {
        query: z.object({
          from: reportDate.optional().openapi({ description: "First day (default: to − 29)" }),
          to: reportDate.optional().openapi({ description: "Last day (default: today, UTC)" }),
          ...reportQuery,
        }),
      },
      responses: {
        200: {
          description: "The days",
          content: { "application/json": { schema: dailyMetricsSchema }, ...csvContent },
        },
        ...problems(400, 403),
      },
    }),
    async (c) => {
      const query = c.req.valid("query");
      const to = query.to ?? isoDay(deps.clock.now());
      const from = query.from ?? isoDay(new Date(Date.parse(to) - 29 * DAY_MS));
      checkRange(from, to, (Date.parse(to) - Date.parse(from)) / DAY_MS + 1, MAX_DAYS, "days");
      const cached = await cache.get(
        reportKey("success-metrics", { from, to }),
        { ttlSeconds: reportTtls.dashboardMetrics, fresh: wantsFresh(c, query.fresh) },
        async () => {
          const refreshed = await lastSuccessMetricsRefresh(deps.db);
          const rows = await dailyMetrics(deps.db, { from, to });
          return { from, to, refreshedAt: refreshed?.toISOString() ?? null, rows };
        },
      );
      return reportResponse(c, {
        cached,
        format: query.format,
        json: cached.value,
        columns: dailyMetricsColumns,
        rows: cached.value.rows,
        filename: `success-metrics-${from}-${to}`,
      });
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/reports/churn",
      operationId: "monthlyChurn",
      summary: "Monthly churn rate",
      description: "Per month of [from, to] (UTC): customers active at its start, new, churned, " +
        "and the churn rate (churned of those active at the start ÷ active at the start). " +
        `Cached for ${reportTtls.roiReports} s.`,
      tags: ["Reports"],
      request: {
        query: z.object({
          from: reportMonth.optional().openapi({
            description: "First month (default: 11 before to)",
          }),
          to: reportMonth.optional().openapi({ description: "Last month (default: this month)" }),
          ...reportQuery,
        }),
      },
      responses: {
        200: {
          description: "The months",
          content: { "application/json": { schema: monthlyChurnSchema }, ...csvContent },
        },
        ...problems(400, 403),
      },
    }),
    async (c) => {
      const query = c.req.valid("query");
      const to = query.to ?? isoDay(deps.clock.now()).slice(0, 7);
      const from = query.from ?? addMonths(to, -11);
      checkRange(from, to, monthsBetween(from, to) + 1, MAX_MONTHS, "months");
      const cached = await cache.get(
        reportKey("churn", { from, to }),
        { ttlSeconds: reportTtls.roiReports, fresh: wantsFresh(c, query.fresh) },
        async () => ({
          from,
          to,
          rows: await monthlyChurn(deps.db, { from: `${from}-01`, to: `${to}-01` }),
        }),
      );
      return reportResponse(c, {
        cached,
        format: query.format,
        json: cached.value,
        columns: monthlyChurnColumns,
        rows: cached.value.rows,
        filename: `churn-${from}-${to}`,
      });
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/reports/cohorts",
      operationId: "cohortReport",
      summary: "Retention and churn by signup month, vendor type and plan",
      description: "The customers who signed up in [from, to] grouped by the dimensions in " +
        "`by`, with how many are still customers now and how many stayed their first 90 days. " +
        `Cached for ${reportTtls.roiReports} s.`,
      tags: ["Reports"],
      request: {
        query: z.object({
          from: reportMonth.optional().openapi({
            description: "First signup month (default: all)",
          }),
          to: reportMonth.optional().openapi({
            description: "Last signup month (default: this month)",
          }),
          by: z.string().max(100).default(cohortDimensions.join(",")).openapi({
            description: `Comma-separated, any of ${cohortDimensions.join(", ")}`,
          }),
          ...reportQuery,
        }),
      },
      responses: {
        200: {
          description: "The cohorts",
          content: { "application/json": { schema: cohortsSchema }, ...csvContent },
        },
        ...problems(400, 403),
      },
    }),
    async (c) => {
      const query = c.req.valid("query");
      const asOf = deps.clock.now();
      const to = query.to ?? isoDay(asOf).slice(0, 7);
      const from = query.from ?? "1900-01";
      checkRange(from, to, monthsBetween(from, to) + 1, Infinity, "months");
      const by = parseDimensions(query.by);
      const cached = await cache.get(
        reportKey("cohorts", { from, to, by }),
        { ttlSeconds: reportTtls.roiReports, fresh: wantsFresh(c, query.fresh) },
        async () => ({
          from,
          to,
          by,
          asOf: asOf.toISOString(),
          rows: await cohortReport(deps.db, { from: `${from}-01`, to: `${to}-01`, asOf, by }),
        }),
      );
      return reportResponse(c, {
        cached,
        format: query.format,
        json: cached.value,
        columns: cohortColumns,
        rows: cached.value.rows,
        filename: `cohorts-${from}-${to}`,
      });
    },
  );
}

function parseDimensions(text: string): CohortDimension[] {
  const names = text.split(",").map((name) => name.trim()).filter((name) => name !== "");
  const unknown = names.filter((name) => !(cohortDimensions as readonly string[]).includes(name));
  if (unknown.length > 0 || names.length === 0) {
    const message = `must be a comma-separated list of ${cohortDimensions.join(", ")}`;
    throw new EngineError(
      "VALIDATION_FAILED",
      `Invalid request: query.by: ${message}${
        unknown.length > 0 ? ` (unknown: ${unknown.join(", ")})` : ""
      }`,
      { issues: [{ path: "query.by", message }] },
    );
  }
  // In the canonical order, so "plan,vendorType" and "vendorType,plan" share a cache entry.
  return cohortDimensions.filter((name) => names.includes(name));
}

function checkRange(from: string, to: string, count: number, max: number, unit: string): void {
  const message = from > to
    ? "must not be after query.to"
    : count > max
    ? `must be at most ${max} ${unit} before query.to`
    : null;
  if (message === null) return;
  throw new EngineError("VALIDATION_FAILED", `Invalid request: query.from ${message}`, {
    issues: [{ path: "query.from", message }],
  });
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

function monthsBetween(from: string, to: string): number {
  const index = (month: string) => Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;
  return index(to) - index(from);
}

function addMonths(month: string, count: number): string {
  const index = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 + count;
  return `${String(Math.floor(index / 12)).padStart(4, "0")}-${
    String(index % 12 + 1).padStart(2, "0")
  }`;
}
