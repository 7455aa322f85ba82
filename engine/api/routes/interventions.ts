/**
 * Interventions: every planner decision (sent, held out, or suppressed and
 * why), and an operator's retry of dead-lettered sends, one or in bulk.
 */
import { createRoute, z } from "@hono/zod-openapi";
import {
  getIntervention,
  type InterventionFilters,
  listInterventions,
  recordOutcome,
  replayDeadLetters,
  retryIntervention,
} from "../../interventions/mod.ts";
import { customerIdSchema, getCustomer } from "../../signals/mod.ts";
import { changeOf } from "../actor.ts";
import type { Api, ApiDeps } from "../deps.ts";
import { documented, json, jsonBody, pageQuery, problems } from "../schemas.ts";

const interventionSchema = z.object({
  id: z.number().int(),
  customerId: z.string(),
  ruleId: z.string().nullable(),
  ruleVersion: z.number().int().nullable(),
  cycleId: z.number().int().nullable(),
  templateId: z.string(),
  channel: z.string(),
  priority: z.number().int(),
  decision: z.enum(["send", "holdout", "suppressed"]).openapi({
    description: "send: delivered through the outbox; holdout: the rule's control group, not " +
      "sent; suppressed: not sent, see reason",
  }),
  reason: z.string().nullable().openapi({
    description: "Why it was suppressed: churned, unsubscribed, cooldown, frequency_cap, " +
      "no_email_address, invalid_email_address, template_unavailable, " +
      "template_channel_mismatch, channel_unavailable",
  }),
  status: z.string().openapi({
    description: "planned, sending, sent, delivered, failed (retrying), dead (gave up), " +
      "held_out, suppressed",
  }),
  plannedAt: z.string(),
  scheduledFor: z.string().openapi({ description: "Past the customer's quiet hours" }),
  sentAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  providerMessageId: z.string().nullable(),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  test: z.boolean(),
  openedAt: z.string().nullable().openapi({ description: "First open (email's pixel)" }),
  clickedAt: z.string().nullable().openapi({ description: "First click of a tracked link" }),
  repliedAt: z.string().nullable().openapi({ description: "First reply the product reported" }),
}).openapi("Intervention");

const outcomeSchema = z.object({
  id: z.number().int(),
  interventionId: z.number().int(),
  kind: z.enum(["opened", "clicked", "replied", "action", "converted"]),
  detail: z.record(z.string(), z.unknown()),
  occurredAt: z.string(),
  source: z.enum(["pixel", "link", "api"]),
}).openapi("InterventionOutcome");

const page = z.object({ items: z.array(interventionSchema), nextCursor: z.string().nullable() });
const cursor = z.string().regex(/^[1-9][0-9]{0,15}$/, {
  error: "must be the nextCursor of an earlier page (an intervention id)",
}).optional();
const filters = {
  ruleId: z.string().max(80).optional(),
  status: z.enum([
    "planned",
    "sending",
    "sent",
    "delivered",
    "failed",
    "dead",
    "held_out",
    "suppressed",
  ])
    .optional(),
  decision: z.enum(["send", "holdout", "suppressed"]).optional(),
};
const idParam = z.object({
  id: z.coerce.number().int().positive().openapi({ param: { name: "id", in: "path" } }),
});
const reason = z.string().max(1000).optional();

/** Registers the intervention routes. */
export function registerInterventionRoutes(app: Api, deps: ApiDeps): void {
  // Both lists page alike: the cursor is the id of the last intervention seen.
  const listPage = (filters: InterventionFilters, limit: number, cursor: string | undefined) =>
    listInterventions(deps.db, filters, {
      limit,
      cursor: cursor === undefined ? undefined : Number(cursor),
    });

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/interventions",
      operationId: "listInterventions",
      summary: "Interventions, newest first: every decision, sent or not, and why",
      tags: ["Interventions"],
      request: {
        query: pageQuery.extend({ cursor, customerId: customerIdSchema.optional(), ...filters }),
      },
      responses: { 200: json(page, "A page of interventions"), ...problems(400) },
    }),
    async (c) => {
      const { limit, cursor, ...rest } = c.req.valid("query");
      return c.json(await listPage(rest, limit, cursor), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/customers/{id}/interventions",
      operationId: "listCustomerInterventions",
      summary: "A customer's interventions: what was sent, and why something was not",
      tags: ["Interventions"],
      request: {
        params: z.object({
          id: documented(customerIdSchema).openapi({ param: { name: "id", in: "path" } }),
        }),
        query: pageQuery.extend({ cursor, ...filters }),
      },
      responses: { 200: json(page, "A page of interventions"), ...problems(400, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { limit, cursor, ...rest } = c.req.valid("query");
      await getCustomer(deps.db, id);
      return c.json(await listPage({ ...rest, customerId: id }, limit, cursor), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/interventions/{id}",
      operationId: "getIntervention",
      summary: "One intervention",
      tags: ["Interventions"],
      request: { params: idParam },
      responses: { 200: json(interventionSchema, "The intervention"), ...problems(400, 404) },
    }),
    async (c) => c.json(await getIntervention(deps.db, c.req.valid("param").id), 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/interventions/{id}/retry",
      operationId: "retryIntervention",
      summary: "Send a dead-lettered (or failing) intervention again, now",
      tags: ["Interventions"],
      request: { params: idParam, body: jsonBody(z.strictObject({ reason }), { required: false }) },
      responses: {
        200: json(interventionSchema, "The intervention, back in the outbox"),
        ...problems(400, 403, 404, 409),
      },
    }),
    async (c) => {
      const change = { ...changeOf(c, deps.clock), reason: c.req.valid("json")?.reason ?? null };
      return c.json(await retryIntervention(deps.db, c.req.valid("param").id, change), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/interventions/{id}/outcome",
      operationId: "recordInterventionOutcome",
      summary: "Report what the customer did with an intervention: replied, acted, converted",
      description: "For the product (a reply to an email, an in-app action taken). Opens and " +
        "clicks of email are tracked by the engine itself.",
      tags: ["Interventions"],
      request: {
        params: idParam,
        body: jsonBody(z.strictObject({
          kind: z.enum(["replied", "action", "converted"]),
          detail: z.record(z.string().max(100), z.unknown()).optional().openapi({
            example: { action: "added_first_client" },
          }),
          occurredAt: z.iso.datetime({ offset: true }).optional().openapi({
            description: "When it happened (default: now)",
          }),
        })),
      },
      responses: {
        201: json(outcomeSchema, "The outcome, recorded"),
        ...problems(400, 403, 404, 409),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const outcome = await recordOutcome(deps.db, {
        interventionId: c.req.valid("param").id,
        kind: body.kind,
        ...(body.detail ? { detail: body.detail } : {}),
        occurredAt: body.occurredAt ? new Date(body.occurredAt) : deps.clock.now(),
        source: "api",
      });
      return c.json(outcome, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/interventions/replay",
      operationId: "replayDeadLetters",
      summary: "Send every dead-lettered intervention matching the filters again",
      tags: ["Interventions"],
      request: {
        body: jsonBody(
          z.strictObject({
            ruleId: z.string().max(80).optional(),
            channel: z.string().max(40).optional(),
            since: z.iso.datetime({ offset: true }).optional(),
            reason,
          }),
          { required: false },
        ),
      },
      responses: {
        200: json(z.object({ requeued: z.number().int() }), "How many went back to the outbox"),
        ...problems(400, 403),
      },
    }),
    async (c) => {
      const body = c.req.valid("json") ?? {};
      const change = { ...changeOf(c, deps.clock), reason: body.reason ?? null };
      const result = await replayDeadLetters(deps.db, {
        ruleId: body.ruleId,
        channel: body.channel,
        since: body.since === undefined ? undefined : new Date(body.since),
      }, change);
      return c.json(result, 200);
    },
  );
}
