/**
 * Reports: which interventions work — per rule and per template, sent,
 * delivered, opened, clicked, success rate, and uplift in retention against
 * the holdout group with a confidence interval.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { interventionReport, retentionWindows } from "../../interventions/mod.ts";
import { EngineError } from "../../errors.ts";
import type { Api, ApiDeps } from "../deps.ts";
import { json, problems } from "../schemas.ts";

const interval = z.object({ low: z.number(), high: z.number() }).nullable();
const group = z.object({
  measured: z.number().int().openapi({ description: "Interventions whose window has passed" }),
  retained: z.number().int(),
  rate: z.number().nullable(),
});
const line = {
  planned: z.number().int().openapi({ description: "Decided to send (the treated group)" }),
  sent: z.number().int().openapi({ description: "Handed to the channel" }),
  delivered: z.number().int().openapi({
    description: "Confirmed delivered by the channel (webhook, Slack, in-app)",
  }),
  opened: z.number().int().openapi({ description: "Email opened (first open)" }),
  clicked: z.number().int().openapi({ description: "A tracked link clicked" }),
  replied: z.number().int(),
  failed: z.number().int().openapi({ description: "Dead-lettered: never sent" }),
  heldOut: z.number().int().openapi({ description: "The holdout (control) group" }),
  openRate: z.number().nullable(),
  clickRate: z.number().nullable(),
  successRate: z.number().nullable().openapi({
    description: "Share of the treated group still a customer 30 days after (null until measured)",
  }),
  retention: z.array(z.object({
    days: z.number().int(),
    treated: group,
    holdout: group,
    uplift: z.number().nullable().openapi({
      description: "Treated retention rate − holdout retention rate",
    }),
    confidenceInterval: interval,
    significant: z.boolean().openapi({ description: "The interval excludes zero" }),
  })),
  healthChange14d: z.object({
    treated: z.object({ measured: z.number().int(), meanChange: z.number().nullable() }),
    holdout: z.object({ measured: z.number().int(), meanChange: z.number().nullable() }),
    difference: z.number().nullable(),
    confidenceInterval: interval,
  }),
};
const reportSchema = z.object({
  from: z.string().nullable(),
  to: z.string().nullable(),
  confidence: z.number(),
  byRule: z.array(z.object({ ruleId: z.string(), ...line })),
  byTemplate: z.array(z.object({ templateId: z.string(), channel: z.string(), ...line })),
}).openapi("InterventionReport");

const instant = z.iso.datetime({ offset: true }).or(z.iso.date()).optional();

/** Registers the report routes. */
export function registerReportRoutes(app: Api, deps: ApiDeps): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/reports/interventions",
      operationId: "interventionReport",
      summary: "Which interventions work: per rule and template, outcomes and uplift vs holdout",
      description: "Counts the interventions planned in [from, to). Retention is measured " +
        `${retentionWindows.join(", ")} days after planning, by each cycle's outcomes stage; ` +
        "uplift compares the customers it was sent to with the rule's holdout group, with " +
        "Newcombe's interval for a difference of proportions.",
      tags: ["Reports"],
      request: {
        query: z.object({
          from: instant.openapi({ description: "Planned at or after (date or date-time)" }),
          to: instant.openapi({ description: "Planned before (date or date-time)" }),
          ruleId: z.string().max(80).optional(),
          templateId: z.string().max(80).optional(),
          channel: z.string().max(40).optional(),
          confidence: z.enum(["0.9", "0.95", "0.99"]).default("0.95"),
        }),
      },
      responses: { 200: json(reportSchema, "The report"), ...problems(400) },
    }),
    async (c) => {
      const { from, to, ...rest } = c.req.valid("query");
      const range = {
        from: from ? new Date(from) : undefined,
        to: to ? new Date(to) : undefined,
      };
      if (range.from && range.to && range.from >= range.to) {
        throw new EngineError(
          "VALIDATION_FAILED",
          "Invalid request: query.from must be before query.to",
          { issues: [{ path: "query.from", message: "must be before query.to" }] },
        );
      }
      return c.json(await interventionReport(deps.db, { ...rest, ...range }), 200);
    },
  );
}
