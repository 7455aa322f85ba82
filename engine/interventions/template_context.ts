/**
 * What a template can use: the documented rendering context. Templates are
 * checked against these paths when saved (an unknown variable is an error),
 * and rendering builds exactly this shape.
 */
import { z } from "zod";

/** The context a template renders with. */
export const templateContextSchema = z.object({
  customer: z.object({
    id: z.string(),
    name: z.string(),
    vendorType: z.string(),
    plan: z.string(),
    country: z.string(),
    timeZone: z.string(),
    locale: z.string(),
    mrr: z.number(),
    tenureDays: z.number(),
  }),
  health: z.object({
    score: z.number(),
    atRiskScore: z.number(),
    /** Component key → its 0–100 score (engagement, adoption, milestones, support, billing). */
    components: z.record(z.string(), z.number()),
  }).nullable(),
  prediction: z.object({
    probability: z.number(),
    confidence: z.number(),
    modelVersion: z.string(),
  }).nullable(),
  rule: z.object({ id: z.string(), name: z.string(), version: z.number() }).nullable(),
  /** The customer's success manager, else the success team. */
  owner: z.object({ name: z.string(), email: z.string().nullable() }),
  links: z.object({
    app: z.string(),
    unsubscribe: z.string(),
    /** Book a call with the owner. */
    booking: z.string(),
  }),
});

/** A rendering context. */
export type TemplateContext = z.infer<typeof templateContextSchema>;

/**
 * The variable paths a template may use, e.g. `customer.name`,
 * `health.components.engagement`. A path under `health.components` may name
 * any component.
 */
export const templateVariables: readonly string[] = [
  "customer.id",
  "customer.name",
  "customer.vendorType",
  "customer.plan",
  "customer.country",
  "customer.timeZone",
  "customer.locale",
  "customer.mrr",
  "customer.tenureDays",
  "health",
  "health.score",
  "health.atRiskScore",
  "health.components",
  "health.components.*",
  "prediction",
  "prediction.probability",
  "prediction.confidence",
  "prediction.modelVersion",
  "rule",
  "rule.id",
  "rule.name",
  "rule.version",
  "owner.name",
  "owner.email",
  "links.app",
  "links.unsubscribe",
  "links.booking",
];
