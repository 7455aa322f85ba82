/**
 * An alert rule as people write it (the API, alerts/default.json): which
 * metric, compared how with what, how severe, and where it is sent. Checked
 * once here, with the path of each mistake; the rest of the folder trusts it.
 */
import { z } from "zod";
import { alertMetrics, groupDimensions } from "./metrics.ts";

/** How severe an alert is, most severe first. */
export const severities = ["critical", "high", "medium", "low"] as const;

/** A severity, e.g. `"critical"`. */
export type Severity = typeof severities[number];

/** Where an alert can be sent. */
export const alertChannels = ["slack", "pagerduty", "email", "webhook"] as const;

/** An alert channel, e.g. `"pagerduty"`. */
export type AlertChannel = typeof alertChannels[number];

/** How a metric's value is compared with the threshold. */
export const comparisons = [">", ">=", "<", "<="] as const;

/** A comparison, e.g. `">"`. */
export type Comparison = typeof comparisons[number];

/** Whether `value <comparison> threshold` holds. */
export function holds(value: number, comparison: Comparison, threshold: number): boolean {
  switch (comparison) {
    case ">":
      return value > threshold;
    case ">=":
      return value >= threshold;
    case "<":
      return value < threshold;
    case "<=":
      return value <= threshold;
  }
}

/** An alert rule's id: a slug for URLs and audit entries. */
export const alertRuleIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/, {
  error: "must be 1–80 lowercase letters, digits and dashes, starting with a letter or digit",
});

const metricNames = [...alertMetrics.keys()];
const MAILBOX = /^[^\s<>@]+@[^\s<>@]+$/;
// A week: longer than that, a condition is a trend for a report, not an alert.
const MAX_FOR_SECONDS = 7 * 86_400;

/** What can change in a rule (PUT): everything but its id. */
export const alertRuleFields = {
  name: z.string().trim().min(1, "must not be empty").max(200),
  description: z.string().max(2000).default(""),
  metric: z.string().refine((m) => alertMetrics.has(m), {
    error: `must be one of ${metricNames.join(", ")}`,
  }),
  comparison: z.enum(comparisons, { error: `must be one of ${comparisons.join(" ")}` }),
  threshold: z.number({ error: "must be a number" }).finite(),
  severity: z.enum(severities, { error: `must be one of ${severities.join(", ")}` }),
  channels: z.array(z.enum(alertChannels, { error: `must be one of ${alertChannels.join(", ")}` }))
    .min(1, "must name at least one channel").max(alertChannels.length)
    .refine((c) => new Set(c).size === c.length, { error: "must not name a channel twice" }),
  recipients: z.array(z.string().regex(MAILBOX, { error: "must be an email address" }))
    .max(50).default([]),
  forSeconds: z.number({ error: "must be a whole number of seconds" }).int()
    .min(0).max(MAX_FOR_SECONDS, `must be at most ${MAX_FOR_SECONDS} (a week)`).default(0),
  groupBy: z.enum(groupDimensions, { error: `must be one of ${groupDimensions.join(", ")}` })
    .nullable().default(null),
  enabled: z.boolean().default(true),
};

type Fields = z.infer<z.ZodObject<typeof alertRuleFields>>;

// Checks between fields, each reported at the field a person must change.
function crossCheck(rule: Fields, ctx: z.RefinementCtx): void {
  const metric = alertMetrics.get(rule.metric);
  if (metric && rule.groupBy !== null && !metric.groupBy.includes(rule.groupBy)) {
    ctx.addIssue({
      code: "custom",
      path: ["groupBy"],
      message: metric.groupBy.length === 0
        ? `${rule.metric} cannot be grouped: leave groupBy out`
        : `${rule.metric} can be grouped by ${metric.groupBy.join(", ")} only`,
    });
  }
  if (rule.channels.includes("email") && rule.recipients.length === 0) {
    ctx.addIssue({
      code: "custom",
      path: ["recipients"],
      message: "must name at least one address when channels include email",
    });
  }
}

/** A rule's fields without its id (the body of PUT). */
export const alertRuleUpdateSchema = z.strictObject(alertRuleFields).superRefine(crossCheck);

/** A new rule (the body of POST, an entry of alerts/default.json). */
export const alertRuleInputSchema = z.strictObject({ id: alertRuleIdSchema, ...alertRuleFields })
  .superRefine(crossCheck);

/** A rule's fields, checked. */
export type AlertRuleFields = z.infer<typeof alertRuleUpdateSchema>;

/** A new rule, checked. */
export type AlertRuleInput = z.infer<typeof alertRuleInputSchema>;

/** A silence: until when (null ends it), and why. */
export const silenceSchema = z.strictObject({
  until: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time, or null" })
    .nullable(),
  reason: z.string().trim().min(1, "must say why").max(500),
});
