/**
 * Rules, edited without deploys: create a draft, edit it, publish it (the
 * version that runs), archive it, roll back to any earlier version, read the
 * history with what changed. Every write needs the ETag the caller read
 * (If-Match), so a stale edit or publish conflicts (412) instead of
 * overwriting someone else's work.
 */
import { createRoute, z } from "@hono/zod-openapi";
import {
  approvalsRequired,
  approvePublish,
  archiveRule,
  createRule,
  getRule,
  listChangeRequests,
  listRules,
  listRuleVersions,
  loadFactCatalog,
  publishRule,
  rejectPublish,
  requestPublish,
  rollbackRule,
  type RuleContext,
  ruleIdSchema,
  RULES,
  ruleTagSchema,
  setApprovalsRequired,
  simulateCustomer,
  simulatePopulation,
  updateRuleDraft,
  validateRuleDefinition,
} from "../../rules/mod.ts";
import { loadTemplateChannels } from "../../interventions/templates/mod.ts";
import type { Queryable } from "../../db/mod.ts";
import { customerIdSchema } from "../../signals/mod.ts";
import { changeOf } from "../actor.ts";
import type { Api, ApiDeps } from "../deps.ts";
import { pageOf } from "../page.ts";
import { documented, json, jsonBody, pageQuery, problems } from "../schemas.ts";
import { reasonBody, registerVersionedRoutes } from "./versioned_routes.ts";
import { revisionOf, tagged } from "./versioned_writes.ts";

const idParam = z.object({
  id: documented(ruleIdSchema).openapi({
    param: { name: "id", in: "path" },
    example: "onboarding-stalled",
  }),
});

const definitionSchema = z.record(z.string(), z.unknown()).openapi({
  description: "json-rules-engine's JSON: conditions, event, priority (docs/rules.md). Checked " +
    "against the fact catalog when saved; every problem is listed with its JSON path",
  example: {
    conditions: { all: [{ fact: "healthScore", operator: "lessThan", value: 40 }] },
    event: { type: "intervention", params: { template: "onboarding_nudge", channel: "email" } },
    priority: 5,
  },
});

const metadata = {
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  tags: z.array(ruleTagSchema).max(20).optional(),
  owner: z.string().max(200).nullable().optional(),
};

const ruleSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  tags: z.array(z.string()),
  owner: z.string().nullable(),
  status: z.enum(["draft", "published", "archived"]),
  version: z.number().int().nullable().openapi({ description: "The published version" }),
  draft: z.record(z.string(), z.unknown()).nullable(),
  published: z.record(z.string(), z.unknown()).nullable(),
  revision: z.number().int(),
  disabledAt: z.string().nullable().openapi({
    description: "When the engine switched the published version off after it threw in " +
      "RULE_FAILURE_LIMIT cycles in a row; publishing it again switches it back on",
  }),
  disabledReason: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  updatedBy: z.string(),
}).openapi("Rule");

const changeRequestSchema = z.object({
  id: z.number().int(),
  ruleId: z.string(),
  revision: z.number().int(),
  definition: z.record(z.string(), z.unknown()),
  reason: z.string().nullable(),
  status: z.enum(["pending", "approved", "rejected", "superseded"]),
  requestedAt: z.string(),
  requestedBy: z.string(),
  decidedAt: z.string().nullable(),
  decidedBy: z.string().nullable(),
  decisionReason: z.string().nullable(),
}).openapi("RuleChangeRequest");

/**
 * What rules are checked against: the fact catalog (with the facts running
 * plugins declare) and the templates there are.
 */
async function ruleContextOf(db: Queryable, deps: ApiDeps): Promise<RuleContext> {
  return {
    catalog: await loadFactCatalog(db, deps.plugins?.factDefinitions() ?? []),
    templates: await loadTemplateChannels(db),
  };
}

/** Registers the rule routes. */
export function registerRuleRoutes(app: Api, deps: ApiDeps): void {
  const context = () => ruleContextOf(deps.db, deps);
  const plugins = deps.plugins;
  const extraFacts = plugins
    ? (ids: readonly string[], at: Date) => plugins.facts(ids, at)
    : undefined;

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/rules",
      operationId: "listRules",
      summary: "Rules in id order, optionally of one status or tag",
      tags: ["Rules"],
      request: {
        query: pageQuery.extend({
          status: z.enum(["draft", "published", "archived"]).optional(),
          tag: z.string().max(40).optional(),
        }),
      },
      responses: {
        200: json(
          z.object({ items: z.array(ruleSchema), nextCursor: z.string().nullable() }),
          "A page of rules; the cursor is a rule id",
        ),
        ...problems(400),
      },
    }),
    async (c) => c.json(await listRules(deps.db, c.req.valid("query")), 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/rules",
      operationId: "createRule",
      summary: "Create a rule as a draft (nothing runs until it is published)",
      tags: ["Rules"],
      request: {
        body: jsonBody(z.strictObject({
          id: ruleIdSchema,
          ...metadata,
          definition: definitionSchema,
        })),
      },
      responses: { 201: json(ruleSchema, "The draft"), ...problems(400, 409, 413, 415) },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const rule = await createRule(deps.db, input, await context(), changeOf(c, deps.clock));
      c.header("Location", `/api/v1/rules/${rule.id}`);
      return c.json(tagged(c, rule), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/rules/simulate",
      operationId: "simulateRules",
      summary:
        "What draft rules would do if published: for everyone, or explained for one customer",
      tags: ["Rules"],
      request: {
        body: jsonBody(z.strictObject({
          rules: z.array(z.strictObject({ id: ruleIdSchema, definition: definitionSchema }))
            .min(1).max(50).openapi({
              description: "Drafts: each replaces the published rule of its id, or joins",
            }),
          customerId: customerIdSchema.optional().openapi({
            description: "Explain every rule for this customer instead",
          }),
          asOf: z.iso.datetime({ offset: true }).optional().openapi({
            description: "The day to simulate (default now); health facts are the latest",
          }),
        })),
      },
      responses: {
        200: json(
          z.object({
            asOf: z.string(),
            customers: z.number().int().optional(),
            rules: z.array(z.object({
              ruleId: z.string(),
              draft: z.boolean(),
              withDrafts: z.number().int(),
              published: z.number().int(),
              newlyFiring: z.number().int(),
              noLongerFiring: z.number().int(),
              examples: z.array(z.object({
                customerId: z.string(),
                facts: z.record(z.string(), z.unknown()),
              })),
            })).optional(),
            customerId: z.string().optional(),
            facts: z.record(z.string(), z.unknown()).optional(),
            withDrafts: z.array(z.unknown()).optional(),
            published: z.array(z.unknown()).optional(),
          }).openapi("RuleSimulation"),
          "For everyone: per rule, customers it fires for with the drafts and now, what " +
            "changes, examples. For one customer: every rule explained both ways",
        ),
        ...problems(400, 404, 413, 415),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const ruleContext = await context();
      const drafts = body.rules.map((rule, i) => ({
        id: rule.id,
        definition: validateRuleDefinition(rule.definition, ruleContext, [
          "rules",
          i,
          "definition",
        ]),
      }));
      const asOf = body.asOf ? new Date(body.asOf) : deps.clock.now();
      if (body.customerId !== undefined) {
        return c.json(
          await simulateCustomer(deps.db, drafts, {
            asOf,
            customerId: body.customerId,
            extraFacts,
          }),
          200,
        );
      }
      const batchSize = deps.config.SCORING_BATCH_SIZE;
      return c.json(
        await simulatePopulation(deps.db, drafts, { asOf, batchSize, extraFacts }),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/rules/{id}",
      operationId: "getRule",
      summary: "A rule: its draft, its published version, and its ETag",
      tags: ["Rules"],
      request: { params: idParam },
      responses: { 200: json(ruleSchema, "The rule"), ...problems(400, 404) },
    }),
    async (c) => c.json(tagged(c, await getRule(deps.db, c.req.valid("param").id)), 200),
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/v1/rules/{id}",
      operationId: "updateRule",
      summary: "Edit the rule's draft (If-Match: the ETag you read)",
      tags: ["Rules"],
      request: {
        params: idParam,
        body: jsonBody(z.strictObject({ ...metadata, definition: definitionSchema.optional() })),
      },
      responses: {
        200: json(ruleSchema, "The rule with its new draft"),
        ...problems(400, 404, 409, 412, 413, 415, 428),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const revision = revisionOf(c.req.header("if-match"), RULES, id);
      const rule = await updateRuleDraft(
        deps.db,
        id,
        c.req.valid("json"),
        revision,
        await context(),
        changeOf(c, deps.clock),
      );
      return c.json(tagged(c, rule), 200);
    },
  );

  registerVersionedRoutes(app, deps, {
    kind: RULES,
    tag: "Rules",
    idParam,
    schema: ruleSchema,
    versionShape: {
      definition: z.record(z.string(), z.unknown()),
      name: z.string(),
      description: z.string(),
      tags: z.array(z.string()),
    },
    summaries: {
      publish: "Publish the draft as the next version: it runs from the next cycle on",
      archive: "Archive the rule: nothing of it runs any more; its history stays",
    },
    // With approvals on, publishing files a change request that waits (approvals.ts).
    approval: {
      schema: changeRequestSchema,
      description: "Approvals are on: a change request now waits for someone else to approve it",
      request: async (id, revision, change) =>
        await approvalsRequired(deps.db)
          ? await requestPublish(deps.db, id, revision, await context(), change)
          : null,
    },
    publish: async (id, revision, change) =>
      await publishRule(deps.db, id, revision, await context(), change),
    archive: (id, revision, change) => archiveRule(deps.db, id, revision, change),
    rollback: async (id, version, revision, change) =>
      await rollbackRule(deps.db, id, version, revision, await context(), change),
    versions: (id) => listRuleVersions(deps.db, id),
  });
}

/** Registers the approval routes: the setting, and approving or rejecting a publish. */
export function registerRuleApprovalRoutes(app: Api, deps: ApiDeps): void {
  const setting = z.object({ required: z.boolean() }).openapi("RuleApprovalSetting");
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/settings/rule-approvals",
      operationId: "getRuleApprovals",
      summary: "Whether publishing a rule needs a second person's approval",
      tags: ["Rules"],
      responses: { 200: json(setting, "The setting") },
    }),
    async (c) => c.json({ required: await approvalsRequired(deps.db) }, 200),
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/v1/settings/rule-approvals",
      operationId: "setRuleApprovals",
      summary: "Turn approvals for publishing rules on or off (admins)",
      tags: ["Rules"],
      request: {
        body: jsonBody(z.strictObject({
          required: z.boolean(),
          reason: z.string().max(1000).optional(),
        })),
      },
      responses: { 200: json(setting, "The new setting"), ...problems(400, 415) },
    }),
    async (c) => {
      const { required, reason } = c.req.valid("json");
      const change = { ...changeOf(c, deps.clock), reason: reason ?? null };
      return c.json(await setApprovalsRequired(deps.db, required, change), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/rules/{id}/approve",
      operationId: "approveRulePublish",
      summary: "Approve the change waiting for the rule, which publishes it (not your own)",
      tags: ["Rules"],
      request: { params: idParam, body: jsonBody(reasonBody, { required: false }) },
      responses: {
        200: json(ruleSchema, "The rule with the approved version published"),
        ...problems(400, 403, 404, 409, 412),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const change = { ...changeOf(c, deps.clock), reason: c.req.valid("json")?.reason ?? null };
      const { rule } = await approvePublish(
        deps.db,
        id,
        await ruleContextOf(deps.db, deps),
        change,
      );
      return c.json(tagged(c, rule), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/rules/{id}/reject",
      operationId: "rejectRulePublish",
      summary: "Reject the change waiting for the rule; its draft stays",
      tags: ["Rules"],
      request: { params: idParam, body: jsonBody(reasonBody, { required: false }) },
      responses: {
        200: json(changeRequestSchema, "The rejected request"),
        ...problems(400, 404, 409),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const change = { ...changeOf(c, deps.clock), reason: c.req.valid("json")?.reason ?? null };
      return c.json(await rejectPublish(deps.db, id, change), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/rules/{id}/changes",
      operationId: "listRuleChanges",
      summary: "The rule's change requests, newest first",
      tags: ["Rules"],
      request: { params: idParam, query: pageQuery },
      responses: {
        200: json(
          z.object({ items: z.array(changeRequestSchema), nextCursor: z.string().nullable() }),
          "A page of change requests; the cursor is a request id",
        ),
        ...problems(400, 404),
      },
    }),
    async (c) => {
      const requests = await listChangeRequests(deps.db, c.req.valid("param").id);
      return c.json(pageOf(requests, (r) => String(r.id), c.req.valid("query")), 200);
    },
  );
}
