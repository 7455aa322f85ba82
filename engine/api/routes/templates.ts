/**
 * Intervention templates, edited without deploys like rules: create a draft,
 * edit it, preview it for any customer, publish it (the version that is
 * sent), archive it, roll back to any earlier version, read the history with
 * what changed. Every write needs the ETag the caller read (If-Match), so a
 * stale edit or publish conflicts (412) instead of overwriting.
 */
import { createRoute, z } from "@hono/zod-openapi";
import {
  archiveTemplate,
  createTemplate,
  getTemplate,
  listTemplates,
  listTemplateVersions,
  publishTemplate,
  rollbackTemplate,
  templateIdSchema,
  TEMPLATES,
  updateTemplateDraft,
} from "../../interventions/templates/mod.ts";
import { changeOf } from "../actor.ts";
import type { Api, ApiDeps } from "../deps.ts";
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
import { registerVersionedRoutes } from "./versioned_routes.ts";
import { revisionOf, tagged } from "./versioned_writes.ts";

/** Registers the template routes. */
export function registerTemplateRoutes(app: Api, deps: ApiDeps): void {
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
      const revision = revisionOf(c.req.header("if-match"), TEMPLATES, id);
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

  registerVersionedRoutes(app, deps, {
    kind: TEMPLATES,
    tag: "Templates",
    idParam: templateIdParam,
    schema: templateSchema,
    versionShape: {
      definition: storedDefinitionSchema,
      name: z.string(),
      variables: z.array(z.string()),
    },
    summaries: {
      publish: "Publish the draft as the next version: what is sent from now on",
      archive: "Archive the template: nothing of it is sent any more; its history stays",
    },
    publish: (id, revision, change) => publishTemplate(deps.db, id, revision, change),
    archive: (id, revision, change) => archiveTemplate(deps.db, id, revision, change),
    rollback: (id, version, revision, change) =>
      rollbackTemplate(deps.db, id, version, revision, change),
    versions: (id) => listTemplateVersions(deps.db, id),
  });

  registerTemplatePreviewRoute(app, deps);
  registerTemplateTestRoute(app, deps);
}
