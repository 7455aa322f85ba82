/** Request and response schemas of the template routes, for the OpenAPI document. */
import { z } from "@hono/zod-openapi";
import { templateIdSchema } from "../../interventions/templates/mod.ts";
import { documented } from "../schemas.ts";

/** The channels a template is written for. */
export const channelSchema = z.enum(["email", "slack", "webhook", "in-app"]);

/** `{id}` of a template route. */
export const templateIdParam = z.object({
  id: documented(templateIdSchema).openapi({
    param: { name: "id", in: "path" },
    example: "onboarding_nudge",
  }),
});

/** A definition in a request: its checks are the template module's (validate.ts). */
export const definitionSchema = z.record(z.string(), z.unknown()).openapi({
  description: "Handlebars sources: channel, subject and html (email), text, locales " +
    "(docs/templates.md). Checked when saved; every problem is listed with its path, line " +
    "and column",
  example: {
    channel: "email",
    subject: "{{customer.name}}, your profile is nearly there",
    text: "Hi {{customer.name}},\n\nCouples look for you: finish your profile.\n\n{{owner.name}}",
    locales: { de: { subject: "Fast geschafft, {{customer.name}}", text: "Hallo …" } },
  },
});

const partsShape = {
  subject: z.string().optional(),
  html: z.string().optional(),
  text: z.string(),
};

/** A stored definition, as responses show it. */
export const storedDefinitionSchema = z.object({
  channel: channelSchema,
  ...partsShape,
  locales: z.record(z.string(), z.object(partsShape)).optional(),
}).openapi("TemplateDefinition");

/** What a person edits besides the definition. */
export const templateMetadata = {
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
};

/** A template, as responses show it. */
export const templateSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  channel: channelSchema,
  status: z.enum(["draft", "published", "archived"]),
  version: z.number().int().nullable().openapi({ description: "The published version" }),
  draft: storedDefinitionSchema.nullable(),
  published: storedDefinitionSchema.nullable(),
  variables: z.array(z.string()).openapi({
    description: "The variables the draft uses (else the published version's)",
  }),
  revision: z.number().int(),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  updatedBy: z.string(),
}).openapi("Template");
