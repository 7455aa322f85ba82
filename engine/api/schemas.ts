/** Response schemas and shared request pieces of the HTTP API. */
import { z } from "@hono/zod-openapi";
import { problemSchema } from "./problem.ts";

/**
 * `schema`, able to carry OpenAPI metadata (`.openapi()`). Zod gives each
 * schema its methods when it is built, and @hono/zod-openapi adds `.openapi`
 * only to schemas built after it is loaded: one built by another folder
 * (engine/signals' customer id…) may come first, as when a plugin or a test
 * imports that folder before the API. A clone is built now, with it.
 */
export function documented<S extends z.ZodType>(schema: S): S {
  return schema.clone() as S;
}

/** `?limit=&cursor=` of every list. */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50).openapi({
    description: "Items per page (1–500)",
  }),
  cursor: z.string().max(200).optional().openapi({
    description: "The `nextCursor` of the previous page",
  }),
});

/** A JSON request body described by `schema`; `required: false` for a body that may be left out. */
export function jsonBody<S extends z.ZodType>(schema: S, options: { required?: boolean } = {}) {
  return { required: options.required ?? true, content: { "application/json": { schema } } };
}

/** Error responses a route can give, for the OpenAPI document. */
export function problems(...statuses: number[]) {
  return Object.fromEntries(statuses.map((status) => [status, {
    description: problemDescriptions[status] ?? "Error",
    content: { "application/problem+json": { schema: problemSchema } },
  }]));
}

/** What each error status means, for the OpenAPI document. */
export const problemDescriptions: Record<number, string> = {
  400: "The request is not valid (each bad field is listed in `errors`)",
  401: "No valid API token (missing, malformed, expired or revoked)",
  403: "The token's role does not allow this",
  404: "Not found",
  412: "The resource changed since it was read (If-Match does not match its ETag)",
  428: "Send If-Match with the ETag from your last read",
  429: "Too many requests for this token; wait for Retry-After seconds",
  409: "Conflict with the current state",
  410: "Gone: erased by a privacy request, or expired",
  413: "The body is too large",
  415: "The body is not JSON",
  422: "The request names things that do not exist or are out of range",
  503: "A dependency is unavailable",
};

/** A reference to the Problem schema, for operations completed after generation. */
export function problemSchemaRef(): { $ref: string } {
  return { $ref: "#/components/schemas/Problem" };
}

/** JSON response content. */
export function json<S extends z.ZodType>(schema: S, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** A stored customer. */
export const customerSchema = z.object({
  id: z.string(),
  externalId: z.string().nullable(),
  name: z.string(),
  vendorType: z.string(),
  plan: z.string(),
  mrr: z.number(),
  currency: z.string(),
  country: z.string(),
  timeZone: z.string(),
  signupDate: z.string(),
  churnedAt: z.string().nullable(),
  attributes: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  updatedAt: z.string(),
}).openapi("Customer");

/** A customer in a list, with its latest health (null until first scored). */
export const listedCustomerSchema = customerSchema.extend({
  health: z.object({
    score: z.number(),
    atRiskScore: z.number(),
    scoredAt: z.string(),
  }).nullable(),
}).openapi("ListedCustomer");

/** A customer's progress on one milestone. */
export const milestoneProgressSchema = z.object({
  key: z.string(),
  name: z.string(),
  description: z.string(),
  achieved: z.boolean(),
  achievedAt: z.string().nullable(),
  userId: z.string().nullable(),
  progress: z.number().int(),
  target: z.number().int(),
  dueAt: z.string().nullable(),
  overdue: z.boolean(),
}).openapi("MilestoneProgress");

/** A customer's health. */
export const customerHealthSchema = z.object({
  customerId: z.string(),
  latest: z.object({
    score: z.number(),
    atRiskScore: z.number(),
    components: z.record(
      z.string(),
      z.object({ score: z.number(), value: z.number(), weight: z.number() }),
    ),
    atRiskFactors: z.object({
      lowHealth: z.number(),
      decline: z.number(),
      inactivity: z.number(),
    }),
    modelVersion: z.string(),
    scoredAt: z.string(),
  }).nullable().openapi({ description: "Null until the customer was scored once" }),
  trend: z.object({
    change7d: z.number().nullable(),
    change30d: z.number().nullable(),
    direction: z.enum(["improving", "declining", "stable", "unknown"]),
  }),
  history: z.array(z.object({ score: z.number(), atRiskScore: z.number(), scoredAt: z.string() })),
}).openapi("CustomerHealth");

/** An evaluation cycle. */
export const cycleSchema = z.object({
  id: z.number().int(),
  trigger: z.enum(["schedule", "api", "cli", "startup"]).openapi({
    description: "startup: the catch-up of scheduled runs missed while no engine ran",
  }),
  status: z.enum(["running", "succeeded", "failed", "abandoned"]),
  asOf: z.string(),
  startedAt: z.string(),
  heartbeatAt: z.string(),
  finishedAt: z.string().nullable(),
  stages: z.array(z.object({
    name: z.string(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    durationMs: z.number().nullable(),
    counts: z.record(z.string(), z.number()),
    error: z.string().optional(),
  })),
  error: z.string().nullable(),
  resumes: z.number().int().openapi({
    description: "Times another engine took the cycle over after its engine died and resumed it",
  }),
}).openapi("Cycle");
