/**
 * The usage-signal format accepted by `POST /api/v1/events` and imports.
 *
 * Known event types have typed properties (checked here); any other type
 * that is a well-formed name is accepted too, so the product can send new
 * signals before the engine knows them. docs/events.md describes each type.
 */
import { z } from "zod";

const MAX_PROPERTIES_BYTES = 4_096;

const id = (what: string) =>
  z.string({ error: `${what} must be a string` }).min(1, `${what} must not be empty`).max(
    128,
    `${what} must be at most 128 characters`,
  );

/** Properties of the event types the engine knows; extra keys are kept as sent. */
export const knownEventProperties = {
  login: z.looseObject({}),
  profile_completed: z.looseObject({}),
  feature_used: z.looseObject({
    feature: z.string().min(1).max(64).describe("Which product feature, e.g. `contracts`"),
  }),
  client_added: z.looseObject({ clientId: id("clientId").optional() }),
  form_sent: z.looseObject({ formId: id("formId").optional() }),
  form_completed: z.looseObject({ formId: id("formId").optional() }),
  payment_received: z.looseObject({
    amount: z.number().nonnegative(),
    currency: z.string().regex(/^[A-Z]{3}$/, "must be a three-letter currency code like GBP"),
  }),
  payment_failed: z.looseObject({
    amount: z.number().nonnegative().optional(),
    currency: z.string().regex(/^[A-Z]{3}$/, "must be a three-letter currency code like GBP")
      .optional(),
    reason: z.string().max(200).optional(),
  }),
  support_ticket_opened: z.looseObject({
    ticketId: id("ticketId").optional(),
    severity: z.enum(["low", "normal", "high", "urgent"]).optional(),
  }),
  support_ticket_resolved: z.looseObject({ ticketId: id("ticketId").optional() }),
  subscription_changed: z.looseObject({
    fromPlan: z.string().min(1).max(32),
    toPlan: z.string().min(1).max(32),
  }),
  nps_submitted: z.looseObject({ score: z.number().int().min(0).max(10) }),
  referral_sent: z.looseObject({ channel: z.string().max(32).optional() }),
} as const;

/** The event types with typed properties. */
export type KnownEventType = keyof typeof knownEventProperties;

/** One usage event as sent by a client. */
export const usageEventSchema = z.strictObject({
  id: id("id").describe("Unique event id; a second event with the same id is ignored"),
  customerId: id("customerId"),
  type: z.string().regex(
    /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/,
    "must be a lower-case name like feature_used or billing.invoice_paid",
  ).max(64),
  occurredAt: z.iso.datetime({
    offset: true,
    error: "must be an ISO 8601 date-time with a time zone, e.g. 2026-05-01T09:30:00Z",
  }).transform((s) => new Date(s)),
  userId: id("userId").optional(),
  // Values are JSON by construction (the body is JSON); the size limit below bounds them.
  properties: z.record(z.string().max(100), z.unknown()).default({}),
}).superRefine((event, ctx) => {
  const size = propertiesSize(event.properties);
  if (size > MAX_PROPERTIES_BYTES) {
    ctx.addIssue({
      code: "custom",
      path: ["properties"],
      message: `properties take ${size} bytes; at most ${MAX_PROPERTIES_BYTES} are allowed`,
    });
  }
  const schema = (knownEventProperties as Record<string, z.ZodType>)[event.type];
  if (!schema) return;
  const result = schema.safeParse(event.properties);
  if (result.success) return;
  for (const issue of result.error.issues) {
    ctx.addIssue({
      code: "custom",
      path: ["properties", ...issue.path],
      message: `${issue.message} (required by event type ${event.type})`,
    });
  }
});

const encoder = new TextEncoder();

/**
 * The UTF-8 size of `properties` as JSON, exact when it could exceed the
 * limit. Checked for every event of every batch, so it skips the work where
 * it cannot matter: UTF-8 takes at most 3 bytes per UTF-16 unit.
 */
function propertiesSize(properties: Record<string, unknown>): number {
  const json = JSON.stringify(properties);
  return json.length * 3 <= MAX_PROPERTIES_BYTES ? json.length : encoder.encode(json).length;
}

/** A validated usage event. */
export type UsageEvent = z.output<typeof usageEventSchema>;

/** The body of `POST /api/v1/events`. */
export function eventBatchSchema(limit: number) {
  return z.strictObject({
    events: z.array(usageEventSchema).min(1, "send at least one event").max(
      limit,
      `send at most ${limit} events per batch; split larger batches`,
    ),
  });
}
