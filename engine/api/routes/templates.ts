/**
 * Intervention templates, edited without deploys like rules: create a draft,
 * edit it, preview it for any customer, publish it (the version that is
 * sent), archive it, roll back to any earlier version, read the history with
 * what changed. Every write needs the ETag the caller read (If-Match), so a
 * stale edit or publish conflicts (412) instead of overwriting.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { EngineError } from "../../errors.ts";
import {
  archiveTemplate,
  createTemplate,
  getTemplate,
  listTemplates,
  listTemplateVersions,
  publishTemplate,
  rollbackTemplate,
  templateEtag,
  templateIdSchema,
  type TemplateView,
  updateTemplateDraft,
} from "../../interventions/templates/mod.ts";
import { jsonDiff } from "../../rules/mod.ts";
import { changeOf } from "../actor.ts";
import type { Api, ApiDeps, ApiEnv } from "../deps.ts";
import { pageOf } from "../page.ts";
import { json, jsonBody, pageQuery, problems } from "../schemas.ts";
import { registerTemplatePreviewRoute, registerTemplateTestRoute } from "./template_preview.ts";
import {
  channelSchema,
  definitionSchema,
  storedDefinitionSchema,
  templateIdParam,
  templateMetadata,
  templateSchema,
} from "./template_schemas.ts";

const reasonBody = z.strictObject({ reason: z.string().max(1000).optional() });

/** Registers the template routes. */
export function registerTemplateRoutes(app: Api, deps: ApiDeps): void {
  const tagged = (c: Context<ApiEnv>, template: TemplateView): TemplateView => {
    c.header("ETag", templateEtag(template));
    return template;
  };

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/templates",
      operationId: "listTemplates",
      summary: "Templates in id order, optionally of one status or channel",
      tags: ["Templates"],
      request: {
        query: pageQuery.extend({
          status: z.enum(["draft", "published", "archived"]).optional(),
          channel: channelSchema.optional(),
        }),
      },
      responses: {
        200: json(
          z.object({ items: z.array(templateSchema), nextCursor: z.string().nullable() }),
          "A page of templates; the cursor is a template id",
        ),
        ...problems(400),
      },
    }),
    async (c) => c.json(await listTemplates(deps.db, c.req.valid("query")), 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/templates",
      operationId: "createTemplate",
      summary: "Create a template as a draft (nothing is sent until it is published)",
      tags: ["Templates"],
      request: {
        body: jsonBody(z.strictObject({
          id: templateIdSchema,
          ...templateMetadata,
          definition: definitionSchema,
        })),
      },
      responses: { 201: json(templateSchema, "The draft"), ...problems(400, 409, 413, 415) },
    }),
    async (c) => {
      const template = await createTemplate(
        deps.db,
        c.req.valid("json"),
        changeOf(c, deps.clock),
      );
      c.header("Location", `/api/v1/templates/${template.id}`);
      return c.json(tagged(c, template), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/templates/{id}",
      operationId: "getTemplate",
      summary: "A template: its draft, its published version, and its ETag",
      tags: ["Templates"],
      request: { params: templateIdParam },
      responses: { 200: json(templateSchema, "The template"), ...problems(400, 404) },
    }),
    async (c) => c.json(tagged(c, await getTemplate(deps.db, c.req.valid("param").id)), 200),
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/v1/templates/{id}",
      operationId: "updateTemplate",
      summary: "Edit the template's draft (If-Match: the ETag you read)",
      tags: ["Templates"],
      request: {
        params: templateIdParam,
        body: jsonBody(
          z.strictObject({ ...templateMetadata, definition: definitionSchema.optional() }),
        ),
      },
      responses: {
        200: json(templateSchema, "The template with its new draft"),
        ...problems(400, 404, 409, 412, 413, 415, 428),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const revision = revisionOf(c.req.header("if-match"), id);
      const template = await updateTemplateDraft(
        deps.db,
        id,
        c.req.valid("json"),
        revision,
        changeOf(c, deps.clock),
      );
      return c.json(tagged(c, template), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/templates/{id}/publish",
      operationId: "publishTemplate",
      summary: "Publish the draft as the next version: what is sent from now on",
      tags: ["Templates"],
      request: { params: templateIdParam, body: jsonBody(reasonBody, { required: false }) },
      responses: {
        200: json(templateSchema, "The template with its new version"),
        ...problems(400, 404, 409, 412, 428),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { revision, change } = writeOf(c, deps, id, c.req.valid("json")?.reason);
      return c.json(tagged(c, await publishTemplate(deps.db, id, revision, change)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/templates/{id}/archive",
      operationId: "archiveTemplate",
      summary: "Archive the template: nothing of it is sent any more; its history stays",
      tags: ["Templates"],
      request: { params: templateIdParam, body: jsonBody(reasonBody, { required: false }) },
      responses: {
        200: json(templateSchema, "The archived template"),
        ...problems(400, 404, 412, 428),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { revision, change } = writeOf(c, deps, id, c.req.valid("json")?.reason);
      return c.json(tagged(c, await archiveTemplate(deps.db, id, revision, change)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/templates/{id}/rollback",
      operationId: "rollbackTemplate",
      summary: "Publish an earlier version's definition again, as a new version",
      tags: ["Templates"],
      request: {
        params: templateIdParam,
        body: jsonBody(z.strictObject({
          version: z.number().int().min(1),
          reason: z.string().max(1000).optional(),
        })),
      },
      responses: {
        200: json(templateSchema, "The template with the restored version published"),
        ...problems(400, 404, 412, 415, 428),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { version, reason } = c.req.valid("json");
      const { revision, change } = writeOf(c, deps, id, reason);
      const template = await rollbackTemplate(deps.db, id, version, revision, change);
      return c.json(tagged(c, template), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/templates/{id}/versions",
      operationId: "listTemplateVersions",
      summary: "The published versions, newest first, each with what changed from the one before",
      tags: ["Templates"],
      request: { params: templateIdParam, query: pageQuery },
      responses: {
        200: json(
          z.object({
            items: z.array(z.object({
              version: z.number().int(),
              definition: storedDefinitionSchema,
              name: z.string(),
              variables: z.array(z.string()),
              publishedAt: z.string(),
              publishedBy: z.string(),
              restoredFrom: z.number().int().nullable(),
              reason: z.string().nullable(),
              changes: z.array(z.object({
                path: z.string(),
                before: z.unknown().optional(),
                after: z.unknown().optional(),
              })).openapi({ description: "From the version before (all of it for version 1)" }),
            })),
            nextCursor: z.string().nullable(),
          }),
          "The history; the cursor is a version number",
        ),
        ...problems(400, 404),
      },
    }),
    async (c) => {
      const versions = await listTemplateVersions(deps.db, c.req.valid("param").id);
      const items = versions.map((version, i) => ({
        ...version,
        changes: jsonDiff(versions[i + 1]?.definition, version.definition),
      }));
      return c.json(pageOf(items, (v) => String(v.version), c.req.valid("query")), 200);
    },
  );

  registerTemplatePreviewRoute(app, deps);
  registerTemplateTestRoute(app, deps);
}

/** The revision a write's If-Match names, and who writes why. */
function writeOf(c: Context<ApiEnv>, deps: ApiDeps, id: string, reason: string | undefined) {
  return {
    revision: revisionOf(c.req.header("if-match"), id),
    change: { ...changeOf(c, deps.clock), reason: reason ?? null },
  };
}

/** The revision an If-Match names for template `id`: IF_MATCH_REQUIRED or ETAG_MISMATCH otherwise. */
function revisionOf(ifMatch: string | undefined, id: string): number {
  if (ifMatch === undefined) {
    throw new EngineError(
      "IF_MATCH_REQUIRED",
      `Changing template "${id}" needs If-Match: GET /api/v1/templates/${id} and send its ` +
        "ETag back",
    );
  }
  const match = /^"([a-z0-9_-]+)\.(\d{1,9})"$/.exec(ifMatch.trim());
  if (!match || match[1] !== id) {
    throw new EngineError(
      "ETAG_MISMATCH",
      `If-Match ${ifMatch} is not an ETag of template "${id}"; GET /api/v1/templates/${id} ` +
        "gives it",
    );
  }
  return Number(match[2]);
}
