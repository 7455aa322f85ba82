/**
 * The OpenAPI document, checked by tools that did not write it: the OpenAPI
 * 3.1 JSON schema (@seriousme/openapi-schema-validator), the JSON Schema
 * 2020-12 meta-schema (Ajv) for every schema in it, and the rules the JSON
 * schemas cannot express (path parameters, unique operation ids).
 */
import { Validator } from "@seriousme/openapi-schema-validator";
import { consoleRoutes } from "../../../engine/console/mod.ts";
import { Ajv2020 } from "ajv/dist/2020.js";
import { assert, assertEquals } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";
import { openApiPath } from "../../../engine/api/route_access.ts";

// Served by the engine but not part of the API it describes.
// Pages for people, not API operations.
const UNDOCUMENTED = [
  "GET /api/v1/openapi.json",
  "GET /api/docs",
  "GET /api/docs/{file}",
  "GET /unsubscribe/{token}",
  "POST /unsubscribe/{token}",
  "GET /t/o/{token}",
  "GET /t/c/{token}",
  // The admin console's HTML pages (docs/console.md), not API operations.
  ...consoleRoutes,
];
const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

interface Operation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: unknown }>;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

// deno-lint-ignore no-explicit-any
type Document = any;

function operationsOf(document: Document): Array<[string, Operation]> {
  return Object.entries(document.paths as Record<string, Record<string, Operation>>).flatMap((
    [path, item],
  ) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]): [string, Operation] => [`${method.toUpperCase()} ${path}`, op])
  );
}

async function fetchDocument(): Promise<{ document: Document; routes: string[] }> {
  let result: { document: Document; routes: string[] } | undefined;
  await withApi(async (api) => {
    const response = await api.call("GET", "/api/v1/openapi.json", undefined, {
      authorization: "",
    });
    assertEquals(response.status, 200);
    const routes = api.app.routes.filter((r) => r.method !== "ALL").map((r) =>
      `${r.method} ${openApiPath(r.path)}`
    );
    result = { document: response.body, routes: [...new Set(routes)] };
  });
  return result!;
}

const { document, routes } = await fetchDocument();

Deno.test("the OpenAPI document validates against the OpenAPI 3.1 schema", async () => {
  const validator = new Validator();
  const result = await validator.validate(structuredClone(document));
  assert(result.valid, JSON.stringify(result.errors, null, 2));
  assertEquals(validator.version, "3.1");
  assertEquals(document.openapi, "3.1.0");
  // Every $ref points at something in the document.
  const resolved = validator.resolveRefs() as Document;
  assert(resolved.paths["/api/v1/customers/{id}"].get.responses["200"]);
});

Deno.test("every schema in the OpenAPI document is valid JSON Schema 2020-12", () => {
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  const schemas: Array<[string, unknown]> = Object.entries(document.components?.schemas ?? {})
    .map(([name, schema]) => [`components.schemas.${name}`, schema]);
  for (const [key, op] of operationsOf(document)) {
    for (const p of op.parameters ?? []) schemas.push([`${key} parameter ${p.name}`, p.schema]);
    for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) {
      schemas.push([`${key} body ${type}`, media.schema]);
    }
    for (const [status, response] of Object.entries(op.responses ?? {})) {
      for (const [type, media] of Object.entries(response.content ?? {})) {
        schemas.push([`${key} ${status} ${type}`, media.schema]);
      }
    }
  }
  assert(schemas.length > 50, `only ${schemas.length} schemas found`);
  const invalid = schemas.filter(([, schema]) => !ajv.validateSchema(schema as object)).map((
    [where],
  ) => `${where}: ${ajv.errorsText()}`);
  assertEquals(invalid, []);
});

Deno.test("every operation has an operationId, a summary and tags, and declares its path parameters", () => {
  const problems: string[] = [];
  const ids = new Map<string, string>();
  for (const [key, op] of operationsOf(document)) {
    if (!op.operationId) problems.push(`${key}: no operationId`);
    else if (ids.has(op.operationId)) {
      problems.push(`${key}: operationId ${op.operationId} is also ${ids.get(op.operationId)}`);
    } else ids.set(op.operationId, key);
    if (!op.summary?.trim()) problems.push(`${key}: no summary`);
    if (!op.tags?.length) problems.push(`${key}: no tags`);
    if (!Object.keys(op.responses ?? {}).some((status) => status.startsWith("2"))) {
      problems.push(`${key}: no 2xx response`);
    }
    const inPath = [...key.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!).sort();
    const declared = (op.parameters ?? []).filter((p) => p.in === "path");
    assertEquals(declared.map((p) => p.name).sort(), inPath, `${key}: path parameters`);
    for (const p of declared) if (p.required !== true) problems.push(`${key}: ${p.name} optional`);
  }
  assertEquals(problems, []);
});

Deno.test("the OpenAPI document describes every route the API serves", () => {
  const documented = new Set(operationsOf(document).map(([key]) => key));
  const missing = routes.filter((route) => !documented.has(route) && !UNDOCUMENTED.includes(route));
  assertEquals(missing, []);
  for (const component of ["engine", "ml", "interventions", "integrations", "privacy"]) {
    assert(documented.has(`GET /api/customer-success/health/${component}`), component);
  }
});
