/**
 * The ROI report: interventions credited only with the retained revenue
 * their holdout uplift supports, next to their cost (docs/reports.md).
 */
import { createRoute, z } from "@hono/zod-openapi";
import { EngineError } from "../../errors.ts";
import { parseInterventionCosts } from "../../intervention_costs.ts";
import {
  type ReportCache,
  reportKey,
  reportTtls,
  roiColumns,
  roiReport,
} from "../../reports/mod.ts";
import type { Api, ApiDeps } from "../deps.ts";
import {
  csvContent,
  reportInstant,
  reportQuery,
  reportResponse,
  wantsFresh,
} from "../report_output.ts";
import { problems } from "../schemas.ts";
import { roiSchema } from "./report_schemas.ts";

const instant = reportInstant.optional();

/** Registers the ROI route. */
export function registerRoiReportRoutes(app: Api, deps: ApiDeps, cache: ReportCache): void {
  // Checked when the configuration was loaded.
  const costs = parseInterventionCosts(deps.config.REPORT_INTERVENTION_COSTS)!;
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/reports/roi",
      operationId: "roiReport",
      summary: "ROI of interventions: retained revenue their holdout uplift supports, and cost",
      description: "Per rule, over the interventions planned in [from, to): the retention " +
        "uplift against the holdout group at `window` days (from the interventions report), " +
        "credited revenue = uplift × MRR of the measured treated customers × window / 30 when " +
        "the uplift is significant and positive (else 0), cost = sends × cost of their channel " +
        "(REPORT_INTERVENTION_COSTS), ROI = (credited − cost) ÷ cost. The CSV ends with the " +
        `total row. Cached for ${reportTtls.roiReports} s (the seed's roiReports).`,
      tags: ["Reports"],
      request: {
        query: z.object({
          from: instant.openapi({ description: "Planned at or after (date or date-time)" }),
          to: instant.openapi({ description: "Planned before (date or date-time)" }),
          window: z.enum(["30", "60", "90"]).default("30").openapi({
            description: "Retention window in days the uplift is measured at",
          }),
          confidence: z.enum(["0.9", "0.95", "0.99"]).default("0.95"),
          ...reportQuery,
        }),
      },
      responses: {
        200: {
          description: "The report",
          content: { "application/json": { schema: roiSchema }, ...csvContent },
        },
        ...problems(400, 403),
      },
    }),
    async (c) => {
      const query = c.req.valid("query");
      const from = query.from ? new Date(query.from) : undefined;
      const to = query.to ? new Date(query.to) : undefined;
      if (from && to && from >= to) {
        throw new EngineError(
          "VALIDATION_FAILED",
          "Invalid request: query.from must be before query.to",
          { issues: [{ path: "query.from", message: "must be before query.to" }] },
        );
      }
      const windowDays = Number(query.window) as 30 | 60 | 90;
      const cached = await cache.get(
        reportKey("roi", {
          from: from?.toISOString(),
          to: to?.toISOString(),
          windowDays,
          confidence: query.confidence,
        }),
        { ttlSeconds: reportTtls.roiReports, fresh: wantsFresh(c, query.fresh) },
        () => roiReport(deps.db, { from, to, windowDays, confidence: query.confidence, costs }),
      );
      return reportResponse(c, {
        cached,
        format: query.format,
        json: cached.value,
        columns: roiColumns,
        rows: [...cached.value.rows, cached.value.total],
        filename: "roi",
      });
    },
  );
}
