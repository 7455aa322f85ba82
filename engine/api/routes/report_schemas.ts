/** The JSON of the success and ROI reports, for the OpenAPI document (docs/reports.md). */
import { z } from "@hono/zod-openapi";

const rate = z.number().nullable();
const count = z.number().int();

/** GET /api/v1/reports/success-metrics. */
export const dailyMetricsSchema = z.object({
  from: z.string(),
  to: z.string(),
  refreshedAt: z.string().nullable().openapi({
    description: "When mv_success_metrics was last refreshed (null: never)",
  }),
  rows: z.array(z.object({
    date: z.string(),
    avgHealth: z.number().nullable().openapi({
      description: "Mean of each scored customer's last health score of the day",
    }),
    scoredCustomers: count,
    atRiskCount: count.openapi({ description: "Scored customers with at-risk score > 70" }),
    activeCustomers: count.openapi({ description: "Customers at the start of the day" }),
    newCustomers: count,
    churnedCustomers: count,
    churnRate: rate.openapi({
      description: "Churned that day of those active at its start ÷ active at its start",
    }),
    interventionsPlanned: count,
    interventionsSent: count,
    interventionsHeldOut: count,
    successMeasured: count,
    successRetained: count,
    successRate: rate.openapi({
      description: "Retained 30 days after ÷ measured, of the interventions planned that day",
    }),
  })),
}).openapi("DailySuccessMetrics");

/** GET /api/v1/reports/churn. */
export const monthlyChurnSchema = z.object({
  from: z.string(),
  to: z.string(),
  rows: z.array(z.object({
    month: z.string(),
    activeAtStart: count,
    newCustomers: count,
    churned: count,
    churnedFromStart: count,
    activeAtEnd: count,
    churnRate: rate.openapi({ description: "churnedFromStart ÷ activeAtStart" }),
  })),
}).openapi("MonthlyChurn");

/** GET /api/v1/reports/cohorts. */
export const cohortsSchema = z.object({
  from: z.string(),
  to: z.string(),
  by: z.array(z.string()),
  asOf: z.string(),
  rows: z.array(z.object({
    signupMonth: z.string().nullable(),
    vendorType: z.string().nullable(),
    plan: z.string().nullable(),
    customers: count,
    retained: count,
    churned: count,
    retentionRate: rate,
    churnRate: rate,
    reached90d: count.openapi({ description: "Signed up at least 90 days before asOf" }),
    retained90d: count,
    retentionRate90d: rate,
    retainedMrr: z.number(),
  })),
}).openapi("Cohorts");

const roiLine = z.object({
  ruleId: z.string(),
  treatedMeasured: count,
  treatedRetained: count,
  holdoutMeasured: count,
  holdoutRetained: count,
  uplift: rate,
  upliftLow: rate,
  upliftHigh: rate,
  significant: z.boolean(),
  treatedMrr: z.number(),
  creditedRevenue: z.number().openapi({
    description: "uplift × treatedMrr × windowDays / 30 when significant and positive, else 0",
  }),
  creditedRevenueLow: z.number(),
  creditedRevenueHigh: z.number(),
  sent: count,
  cost: z.number(),
  roi: rate.openapi({ description: "(creditedRevenue − cost) ÷ cost; null without cost" }),
  roiLow: rate,
});

/** GET /api/v1/reports/roi. */
export const roiSchema = z.object({
  from: z.string().nullable(),
  to: z.string().nullable(),
  windowDays: count,
  confidence: z.number(),
  costs: z.record(z.string(), z.number()),
  rows: z.array(roiLine),
  total: roiLine,
}).openapi("RoiReport");
