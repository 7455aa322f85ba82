/**
 * Previews: a template rendered for a real customer before it is sent — the
 * draft while it is edited, else the published version, or any version — in
 * the customer's locale or another one, with the context it rendered with.
 */
import { createRoute, z } from "@hono/zod-openapi";
import {
  getTemplate,
  getTemplateVersion,
  loadTemplateContext,
  type RenderSource,
  TemplateRenderer,
} from "../../interventions/templates/mod.ts";
import { sendTemplateTest } from "../../interventions/mod.ts";
import { customerIdSchema } from "../../signals/mod.ts";
import { changeOf } from "../actor.ts";
import type { Api, ApiDeps } from "../deps.ts";
import { json, jsonBody, problems } from "../schemas.ts";
import { channelSchema, templateIdParam } from "./template_schemas.ts";

const previewSchema = z.object({
  templateId: z.string(),
  version: z.number().int().nullable().openapi({ description: "Null: the draft was rendered" }),
  channel: channelSchema,
  locale: z.string().nullable().openapi({ description: "The locale variant used; null: base" }),
  subject: z.string().nullable(),
  html: z.string().nullable(),
  text: z.string(),
  context: z.record(z.string(), z.unknown()).openapi({
    description: "The values the template was rendered with",
  }),
}).openapi("TemplatePreview");

/** Registers `POST /api/v1/templates/{id}/preview`. */
export function registerTemplatePreviewRoute(app: Api, deps: ApiDeps): void {
  // One renderer per API: compiled versions are cached by id and version of this database.
  const renderer = new TemplateRenderer();
  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/templates/{id}/preview",
      operationId: "previewTemplate",
      summary: "Render the draft (else the published version, or a given version) for a customer",
      tags: ["Templates"],
      request: {
        params: templateIdParam,
        body: jsonBody(z.strictObject({
          customerId: customerIdSchema,
          version: z.number().int().min(1).optional().openapi({
            description: "A published version (default: the draft if any, else the published)",
          }),
          locale: z.string().regex(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/).max(35).optional()
            .openapi({
              description: "Render this locale instead of the customer's",
              example: "de",
            }),
        })),
      },
      responses: {
        200: json(previewSchema, "The rendered message and the context it was rendered with"),
        ...problems(400, 404, 413, 415, 422),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const source = await previewSource(deps, id, body.version);
      const context = await loadTemplateContext(deps.db, body.customerId, {
        now: deps.clock.now(),
        publicUrl: deps.config.PUBLIC_URL,
      });
      const message = renderer.render(source, context, { locale: body.locale });
      return c.json({
        templateId: id,
        version: source.version,
        channel: source.definition.channel,
        ...message,
        context,
      }, 200);
    },
  );
}

const testSendSchema = z.object({
  id: z.number().int(),
  templateId: z.string(),
  templateVersion: z.number().int().nullable().openapi({ description: "Null: the draft was sent" }),
  customerId: z.string(),
  channel: channelSchema,
  recipient: z.string().nullable(),
  status: z.enum(["sent", "delivered"]),
  providerMessageId: z.string().nullable(),
  sentAt: z.string(),
}).openapi("TemplateTestSend");

/**
 * Registers `POST /api/v1/templates/{id}/test`: the preview's rendering,
 * sent to the person asking through the real channel, marked as a test.
 */
export function registerTemplateTestRoute(app: Api, deps: ApiDeps): void {
  const renderer = new TemplateRenderer();
  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/templates/{id}/test",
      operationId: "sendTemplateTest",
      summary: "Send a template, rendered for a customer, to yourself as a test",
      description: "Renders like the preview (the draft, else the published version, or a " +
        "given version) and delivers it through the template's channel, marked as a test: " +
        "email to `to` with a [Test] subject, Slack and webhooks to their configured " +
        "destinations, in-app to the customer's inbox flagged as a test. Recorded apart from " +
        "real interventions. 409 when the channel is not configured, 503 when it refuses.",
      tags: ["Templates"],
      request: {
        params: templateIdParam,
        body: jsonBody(z.strictObject({
          customerId: customerIdSchema,
          version: z.number().int().min(1).optional(),
          locale: z.string().regex(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/).max(35).optional(),
          to: z.string().max(254).optional().openapi({
            description: "Email templates: your address, where the test goes",
            example: "me@example.com",
          }),
        })),
      },
      responses: {
        200: json(testSendSchema, "The test was handed to the channel"),
        ...problems(400, 403, 404, 409, 413, 415, 422, 503),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const source = await previewSource(deps, id, body.version);
      const sent = await sendTemplateTest(deps.db, {
        source,
        customerId: body.customerId,
        locale: body.locale,
        recipient: body.to ?? null,
        channel: deps.channels?.get(source.definition.channel),
        requestedBy: changeOf(c, deps.clock).actor,
        renderer,
        publicUrl: deps.config.PUBLIC_URL,
        now: deps.clock.now(),
      });
      return c.json(sent, 200);
    },
  );
}

/** What a preview renders: the version asked for, else the draft, else the published version. */
async function previewSource(
  deps: ApiDeps,
  id: string,
  version: number | undefined,
): Promise<RenderSource> {
  if (version !== undefined) {
    const found = await getTemplateVersion(deps.db, id, version);
    return { id, version: found.version, definition: found.definition };
  }
  const template = await getTemplate(deps.db, id);
  if (template.draft !== null) return { id, version: null, definition: template.draft };
  // A template is created with a draft, and a draft only goes away by being published.
  return { id, version: template.version!, definition: template.published! };
}
