/**
 * The life-cycle routes every versioned document has (rules, templates):
 * publish the draft, archive, roll back to an earlier version, and the
 * history of versions with what changed. Each kind passes its names, its
 * schemas and its store calls; paths, operation ids, answers and errors
 * follow from them, the same for every kind.
 */
import { createRoute, type RouteConfig, z } from "@hono/zod-openapi";
import {
  capitalized,
  type DocumentChange,
  type KindNames,
  type Version,
  type VersionedDocument,
  type VersionSnapshot,
} from "../../versioned/mod.ts";
import { jsonDiff } from "../../rules/mod.ts";
import type { Api, ApiDeps } from "../deps.ts";
import { pageOf } from "../page.ts";
import { json, jsonBody, pageQuery, problems } from "../schemas.ts";
import { tagged, writeOf } from "./versioned_writes.ts";

/** A kind of versioned document as its routes name and show it. */
export interface VersionedRoutes<V extends VersionedDocument> {
  /** Its names and codes: messages, paths and operation ids come from them. */
  kind: KindNames;
  /** The OpenAPI tag of its routes. */
  tag: string;
  /** `{id}` of its routes. */
  idParam: z.ZodObject<{ id: z.ZodString }>;
  /** A document, as responses show it. */
  schema: z.ZodType;
  /** What a version has besides its number, who published it and why (its snapshot). */
  versionShape: z.ZodRawShape;
  /** The summaries that say what a published version does for this kind. */
  summaries: { publish: string; archive: string };
  publish(id: string, revision: number, change: DocumentChange): Promise<V>;
  archive(id: string, revision: number, change: DocumentChange): Promise<V>;
  rollback(id: string, version: number, revision: number, change: DocumentChange): Promise<V>;
  versions(id: string): Promise<Version<VersionSnapshot>[]>;
  /**
   * When publishing may need someone's approval (rules): files the request
   * that then waits (answered 202 with `schema`), or null to publish now.
   */
  approval?: {
    schema: z.ZodType;
    description: string;
    request(id: string, revision: number, change: DocumentChange): Promise<object | null>;
  };
}

/** The body of a write that only says why (optional). */
export const reasonBody = z.strictObject({ reason: z.string().max(1000).optional() });

/** Registers publish, archive, rollback and the versions of a kind, in that order. */
export function registerVersionedRoutes<V extends VersionedDocument>(
  app: Api,
  deps: ApiDeps,
  routes: VersionedRoutes<V>,
): void {
  const { kind, approval } = routes;
  app.openapi(publishRoute(routes), async (c) => {
    const { id } = c.req.valid("param");
    const { revision, change } = writeOf(c, deps, kind, id, c.req.valid("json")?.reason);
    const request = approval ? await approval.request(id, revision, change) : null;
    if (request !== null) return c.json(request, 202);
    return c.json(tagged(c, await routes.publish(id, revision, change)), 200);
  });

  app.openapi(archiveRoute(routes), async (c) => {
    const { id } = c.req.valid("param");
    const { revision, change } = writeOf(c, deps, kind, id, c.req.valid("json")?.reason);
    return c.json(tagged(c, await routes.archive(id, revision, change)), 200);
  });

  app.openapi(rollbackRoute(routes), async (c) => {
    const { id } = c.req.valid("param");
    const { version, reason } = c.req.valid("json");
    const { revision, change } = writeOf(c, deps, kind, id, reason);
    return c.json(tagged(c, await routes.rollback(id, version, revision, change)), 200);
  });

  app.openapi(versionsRoute(routes), async (c) => {
    const versions = await routes.versions(c.req.valid("param").id);
    const items = versions.map((version, i) => ({
      ...version,
      changes: jsonDiff(versions[i + 1]?.definition, version.definition),
    }));
    return c.json(pageOf(items, (v) => String(v.version), c.req.valid("query")), 200);
  });
}

/** `POST <path>/{id}/publish`: 202 too for a kind whose publishing may wait for an approval. */
function publishRoute<V extends VersionedDocument>(routes: VersionedRoutes<V>) {
  const { kind, approval } = routes;
  const accepted: { 202?: ReturnType<typeof json> } = approval
    ? { 202: json(approval.schema, approval.description) }
    : {};
  return reasonOnlyRoute(routes, "publish", {
    200: json(routes.schema, `The ${kind.subject} with its new version`),
    ...accepted,
    ...problems(400, 404, 409, 412, 428),
  });
}

/** `POST <path>/{id}/archive`. */
function archiveRoute<V extends VersionedDocument>(routes: VersionedRoutes<V>) {
  return reasonOnlyRoute(routes, "archive", {
    200: json(routes.schema, `The archived ${routes.kind.subject}`),
    ...problems(400, 404, 412, 428),
  });
}

/** `POST <path>/{id}/<action>`, whose body (optional) only says why. */
function reasonOnlyRoute<
  V extends VersionedDocument,
  R extends RouteConfig["responses"],
>(
  routes: VersionedRoutes<V>,
  action: "publish" | "archive",
  responses: R,
) {
  return createRoute({
    method: "post",
    path: `${routes.kind.path}/{id}/${action}`,
    operationId: `${action}${capitalized(routes.kind)}`,
    summary: routes.summaries[action],
    tags: [routes.tag],
    request: { params: routes.idParam, body: jsonBody(reasonBody, { required: false }) },
    responses,
  });
}

/** `POST <path>/{id}/rollback`. */
function rollbackRoute<V extends VersionedDocument>(routes: VersionedRoutes<V>) {
  const { kind } = routes;
  return createRoute({
    method: "post",
    path: `${kind.path}/{id}/rollback`,
    operationId: `rollback${capitalized(kind)}`,
    summary: "Publish an earlier version's definition again, as a new version",
    tags: [routes.tag],
    request: {
      params: routes.idParam,
      body: jsonBody(z.strictObject({
        version: z.number().int().min(1),
        reason: z.string().max(1000).optional(),
      })),
    },
    responses: {
      200: json(routes.schema, `The ${kind.subject} with the restored version published`),
      ...problems(400, 404, 412, 415, 428),
    },
  });
}

/** `GET <path>/{id}/versions`: the history, each version with what changed. */
function versionsRoute<V extends VersionedDocument>(routes: VersionedRoutes<V>) {
  const { kind } = routes;
  return createRoute({
    method: "get",
    path: `${kind.path}/{id}/versions`,
    operationId: `list${capitalized(kind)}Versions`,
    summary: "The published versions, newest first, each with what changed from the one before",
    tags: [routes.tag],
    request: { params: routes.idParam, query: pageQuery },
    responses: {
      200: json(
        z.object({
          items: z.array(z.object({
            version: z.number().int(),
            ...routes.versionShape,
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
  });
}
