/**
 * Alerts and alert rules (docs/alerts.md): the metrics rules can watch, the
 * rules (admins create and change them), the alerts with what was sent for
 * each, and a person acknowledging an alert or silencing a rule (managers
 * and admins). Every change is an audit entry.
 */
import { createRoute, z } from "@hono/zod-openapi";
import {
  acknowledgeAlert,
  alertChannels,
  alertMetrics,
  alertRuleIdSchema,
  alertRuleInputSchema,
  alertRuleUpdateSchema,
  comparisons,
  createAlertRule,
  getAlert,
  getAlertRule,
  groupDimensions,
  listAlertRules,
  listAlerts,
  severities,
  silenceAlertRule,
  silenceSchema,
  updateAlertRule,
} from "../../alerts/mod.ts";
import { changeOf } from "../actor.ts";
import { assertIfMatch, etagOf } from "../etag.ts";
import type { Api, ApiDeps } from "../deps.ts";
import { documented, json, jsonBody, pageQuery, problems } from "../schemas.ts";

const ruleSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  metric: z.string(),
  comparison: z.enum(comparisons),
  threshold: z.number(),
  severity: z.enum(severities),
  channels: z.array(z.enum(alertChannels)),
  recipients: z.array(z.string()),
  forSeconds: z.number().int(),
  groupBy: z.enum(groupDimensions).nullable(),
  enabled: z.boolean(),
  silencedUntil: z.string().nullable(),
  silenceReason: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  updatedBy: z.string(),
}).openapi("AlertRule");

const notificationSchema = z.object({
  kind: z.enum(["trigger", "acknowledge", "resolve"]),
  channel: z.enum(alertChannels),
  target: z.string().openapi({ description: "The email recipient; empty for other channels" }),
  status: z.enum(["pending", "sent", "failed", "skipped"]),
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  lastError: z.string().nullable(),
  sentAt: z.string().nullable(),
});

const alertSchema = z.object({
  id: z.number().int(),
  ruleId: z.string(),
  group: z.string(),
  status: z.enum(["pending", "open", "resolved"]),
  severity: z.enum(severities),
  metric: z.string(),
  comparison: z.enum(comparisons),
  threshold: z.number(),
  value: z.number(),
  pendingSince: z.string(),
  openedAt: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  lastEvaluatedAt: z.string(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
  notifications: z.array(notificationSchema),
}).openapi("Alert");

const ruleParam = z.object({
  id: documented(alertRuleIdSchema).openapi({ param: { name: "id", in: "path" } }),
});
const alertParam = z.object({
  id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER)
    .openapi({ param: { name: "id", in: "path" } }),
});

/** Registers the alert routes. */
export function registerAlertRoutes(app: Api, deps: ApiDeps): void {
  registerRuleRoutes(app, deps);
  registerAlertStateRoutes(app, deps);
}

function registerRuleRoutes(app: Api, deps: ApiDeps): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/alert-metrics",
      operationId: "listAlertMetrics",
      summary: "The metrics alert rules can watch",
      tags: ["Alerts"],
      responses: {
        200: json(
          z.object({
            items: z.array(z.object({
              name: z.string(),
              description: z.string(),
              unit: z.string(),
              groupBy: z.array(z.string()),
            })),
          }),
          "Every metric",
        ),
      },
    }),
    (c) =>
      c.json({
        items: [...alertMetrics.values()].map((m) => ({
          name: m.name,
          description: m.description,
          unit: m.unit,
          groupBy: [...m.groupBy],
        })),
      }, 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/alert-rules",
      operationId: "listAlertRules",
      summary: "Alert rules, by id",
      tags: ["Alerts"],
      responses: { 200: json(z.object({ items: z.array(ruleSchema) }), "Every rule") },
    }),
    async (c) => c.json({ items: await listAlertRules(deps.db) }, 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/alert-rules/{id}",
      operationId: "getAlertRule",
      summary: "One alert rule",
      tags: ["Alerts"],
      request: { params: ruleParam },
      responses: { 200: json(ruleSchema, "The rule"), ...problems(400, 404) },
    }),
    async (c) => {
      const rule = await getAlertRule(deps.db, c.req.valid("param").id);
      c.header("ETag", await etagOf(rule));
      return c.json(rule, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/alert-rules",
      operationId: "createAlertRule",
      summary: "Create an alert rule",
      description: "Evaluated from the next tick of ALERT_EVALUATION_SCHEDULE.",
      tags: ["Alerts"],
      request: { body: jsonBody(documented(alertRuleInputSchema)) },
      responses: { 201: json(ruleSchema, "The rule"), ...problems(400, 409, 413, 415) },
    }),
    async (c) => {
      const rule = await createAlertRule(deps.db, c.req.valid("json"), changeOf(c, deps.clock));
      c.header("Location", `/api/v1/alert-rules/${rule.id}`);
      c.header("ETag", await etagOf(rule));
      return c.json(rule, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/v1/alert-rules/{id}",
      operationId: "updateAlertRule",
      summary: "Change an alert rule",
      description: "Replaces every field but the id (fields left out take their defaults). " +
        "An open alert stays open and is judged by the new rule from the next evaluation. " +
        "Send If-Match with the ETag you read to refuse overwriting someone else's change (412).",
      tags: ["Alerts"],
      request: { params: ruleParam, body: jsonBody(documented(alertRuleUpdateSchema)) },
      responses: { 200: json(ruleSchema, "The rule"), ...problems(400, 404, 412, 413, 415) },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const ifMatch = c.req.header("if-match");
      const rule = await updateAlertRule(
        deps.db,
        id,
        c.req.valid("json"),
        changeOf(c, deps.clock),
        async (current) =>
          assertIfMatch(ifMatch, await etagOf(current), { resource: `Alert rule "${id}"` }),
      );
      c.header("ETag", await etagOf(rule));
      return c.json(rule, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/alert-rules/{id}/silence",
      operationId: "silenceAlertRule",
      summary: "Silence an alert rule's notifications until a time",
      description: "Alerts still open and resolve while silenced, without notifications; an " +
        "alert still open when the silence ends is notified then. `until: null` ends a silence.",
      tags: ["Alerts"],
      request: { params: ruleParam, body: jsonBody(documented(silenceSchema)) },
      responses: { 200: json(ruleSchema, "The rule"), ...problems(400, 404, 413, 415) },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      return c.json(
        await silenceAlertRule(deps.db, id, {
          until: body.until === null ? null : new Date(body.until),
          reason: body.reason,
        }, changeOf(c, deps.clock)),
        200,
      );
    },
  );
}

function registerAlertStateRoutes(app: Api, deps: ApiDeps): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/alerts",
      operationId: "listAlerts",
      summary: "Alerts, newest first, with their notifications",
      tags: ["Alerts"],
      request: {
        query: pageQuery.extend({
          cursor: z.string().regex(/^[1-9][0-9]{0,15}$/, {
            error: "must be the nextCursor of an earlier page",
          }).optional(),
          status: z.enum(["pending", "open", "resolved"]).optional(),
          ruleId: documented(alertRuleIdSchema).optional(),
        }),
      },
      responses: {
        200: json(
          z.object({ items: z.array(alertSchema), nextCursor: z.string().nullable() }),
          "A page of alerts",
        ),
        ...problems(400),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const items = await listAlerts(deps.db, {
        limit: q.limit + 1,
        ...(q.status ? { status: q.status } : {}),
        ...(q.ruleId ? { ruleId: q.ruleId } : {}),
        ...(q.cursor ? { before: Number(q.cursor) } : {}),
      });
      const page = items.slice(0, q.limit);
      const more = items.length > q.limit;
      return c.json({ items: page, nextCursor: more ? String(page.at(-1)!.id) : null }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/alerts/{id}",
      operationId: "getAlert",
      summary: "One alert, with its notifications",
      tags: ["Alerts"],
      request: { params: alertParam },
      responses: { 200: json(alertSchema, "The alert"), ...problems(400, 404) },
    }),
    async (c) => c.json(await getAlert(deps.db, c.req.valid("param").id), 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/alerts/{id}/acknowledge",
      operationId: "acknowledgeAlert",
      summary: "Acknowledge an alert: a person is on it",
      description: "Acknowledging twice changes nothing; a resolved alert answers 409.",
      tags: ["Alerts"],
      request: {
        params: alertParam,
        body: jsonBody(z.strictObject({ reason: z.string().max(1000).optional() }), {
          required: false,
        }),
      },
      responses: { 200: json(alertSchema, "The alert"), ...problems(400, 404, 409, 413, 415) },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json") ?? {};
      return c.json(
        await acknowledgeAlert(deps.db, id, {
          ...changeOf(c, deps.clock),
          reason: body.reason ?? null,
        }),
        200,
      );
    },
  );
}
