/**
 * The OpenAPI 3.1 document: generated from the routes' zod schemas, then
 * completed from the access table, so each operation states the permission
 * it needs, its bearer security and its 401/403/429 answers, from the same
 * table the middleware enforces.
 */
import type { Api } from "./deps.ts";
import { problemDescriptions, problemSchemaRef } from "./schemas.ts";
import { routeAccess } from "./route_access.ts";

const tags = [
  { name: "Signals", description: "Usage events in, and the milestone catalog" },
  { name: "Customers", description: "Suppliers: create, replace, list with health, milestones" },
  { name: "Health", description: "Health scores, their components and trend; the health model" },
  { name: "Cycles", description: "Evaluation cycles: run one now, follow it, list past ones" },
  { name: "Rules", description: "Rules edited without deploys, and the facts they use" },
  { name: "Templates", description: "Intervention templates: edit, preview, test-send, publish" },
  {
    name: "Interventions",
    description: "Every planner decision, delivery, retries and outcomes; in-app inboxes",
  },
  { name: "Reports", description: "Which interventions work: outcomes and uplift vs holdout" },
  {
    name: "Churn prediction",
    description: "Predictions and their reasons, the model registry, verification, performance",
  },
  { name: "Access", description: "API tokens and the caller's role (see docs/access.md)" },
  { name: "Governance", description: "The hash-chained audit log" },
  {
    name: "Privacy",
    description: "Access, deletion and portability requests about a customer (docs/privacy.md)",
  },
  { name: "Operations", description: "Health checks per component and Prometheus metrics" },
];

/** The document to serve at /api/v1/openapi.json. */
export function openApiDocument(app: Api): Record<string, unknown> {
  const document = app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "Customer success engine API",
      version: "1.0.0",
      description: "Signals in, health scores, milestones, evaluation cycles, rules, templates, " +
        "interventions and their reports, API tokens and the audit log. Send `Authorization: Bearer <token>` on every route that is not public.",
    },
  });
  document.tags = tags;
  const components = (document.components ??= {}) as Record<string, Record<string, unknown>>;
  components.securitySchemes = {
    bearerToken: {
      type: "http",
      scheme: "bearer",
      description: "An API token (`deno task token:create` or POST /api/v1/tokens)",
    },
  };
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(item as Record<string, unknown>)) {
      const access = routeAccess[`${method.toUpperCase()} ${path}`];
      if (access === undefined || access === "public" || access === "console") continue;
      const op = operation as {
        security?: unknown;
        responses?: Record<string, unknown>;
        "x-permission"?: string;
      };
      op.security = [{ bearerToken: [] }];
      op["x-permission"] = access;
      const answers: Array<[number, boolean]> = [[401, true], [403, access !== "authenticated"], [
        429,
        true,
      ]];
      for (const [status, applies] of answers) {
        if (!applies) continue;
        op.responses ??= {};
        op.responses[String(status)] ??= {
          description: problemDescriptions[status] ?? "Error",
          content: { "application/problem+json": { schema: problemSchemaRef() } },
        };
      }
    }
  }
  return document as unknown as Record<string, unknown>;
}
