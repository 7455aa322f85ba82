/**
 * Plugins through the API: list them with their state and errors, and
 * enable, disable or configure one (an audit entry each), effective at once
 * in every engine on the database. And the routes plugins serve, under
 * /plugins/<name>/, for any valid token.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { EngineError } from "../../errors.ts";
import { sessionActorOfUpgrade } from "../../console/mod.ts";
import { type PluginHost, type PluginStatus, setRequestActor } from "../../plugins/mod.ts";
import { changeOf } from "../actor.ts";
import type { Api, ApiDeps, ApiEnv } from "../deps.ts";
import { assertIfMatch } from "../etag.ts";
import { json, jsonBody, problems } from "../schemas.ts";

const nameParam = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, {
    error: "must be a plugin name: lower-case letters, digits and '-'",
  }).openapi({ param: { name: "name", in: "path" }, example: "viral" }),
});

const pluginSchema = z.object({
  name: z.string(),
  version: z.string().nullable(),
  description: z.string().nullable(),
  origin: z.enum(["first-party", "directory"]).openapi({
    description: "first-party: shipped with the engine, in its process; directory: from " +
      "PLUGINS_DIR, in a sandbox",
  }),
  folder: z.string(),
  sandboxed: z.boolean(),
  enabled: z.boolean(),
  state: z.enum(["running", "stopped", "failed"]),
  error: z.object({ code: z.string(), message: z.string() }).nullable().openapi({
    description: "Why it is not running (a coded error saying what to fix)",
  }),
  manifest: z.record(z.string(), z.unknown()).nullable().openapi({
    description: "Its plugin.json, defaults filled in; null when the file is not valid",
  }),
  config: z.record(z.string(), z.unknown()).openapi({
    description: 'Its configuration; fields the schema marks writeOnly show as "[redacted]"',
  }),
  channels: z.array(z.string()),
  settingsVersion: z.number().int(),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
}).openapi("Plugin");

const changeSchema = z.strictObject({
  enabled: z.boolean().optional(),
  config: z.record(z.string(), z.unknown()).optional().openapi({
    description: "The whole configuration, checked against the plugin's schema",
  }),
  reason: z.string().max(1000).optional(),
}).refine((body) => body.enabled !== undefined || body.config !== undefined, {
  error: "send enabled, config or both",
}).openapi("PluginChange");

/** Registers the plugin routes. */
export function registerPluginRoutes(app: Api, deps: ApiDeps): void {
  const host = (): PluginHost => {
    if (!deps.plugins) {
      throw new EngineError("PLUGIN_UNAVAILABLE", "This engine was started without plugins");
    }
    return deps.plugins;
  };

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/plugins",
      operationId: "listPlugins",
      summary: "Every plugin, with its state",
      tags: ["Plugins"],
      responses: { 200: json(z.object({ items: z.array(pluginSchema) }), "The plugins") },
    }),
    (c) => c.json({ items: host().list().map(shown) }, 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/plugins/{name}",
      operationId: "getPlugin",
      summary: "One plugin (its ETag guards a change)",
      tags: ["Plugins"],
      request: { params: nameParam },
      responses: { 200: json(pluginSchema, "The plugin"), ...problems(400, 404) },
    }),
    (c) => {
      const status = host().status(c.req.valid("param").name);
      c.header("ETag", etagOf(status));
      return c.json(shown(status), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/v1/plugins/{name}",
      operationId: "changePlugin",
      summary: "Enable, disable or configure a plugin",
      description: "Applied at once, without a restart, in every engine on the database: the " +
        "plugin is stopped and started with its new settings. An audit entry " +
        "`plugin.enabled`, `plugin.disabled` or `plugin.configured` (secret fields redacted). " +
        "Send If-Match with the ETag you read to refuse overwriting another admin's change.",
      tags: ["Plugins"],
      request: { params: nameParam, body: jsonBody(changeSchema, { required: true }) },
      responses: {
        200: json(pluginSchema, "The plugin, with its new settings applied"),
        ...problems(400, 403, 404, 409, 412),
      },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      const body = c.req.valid("json");
      const plugins = host();
      const current = plugins.status(name);
      assertIfMatch(c.req.header("if-match"), etagOf(current), { resource: `Plugin "${name}"` });
      const { actor, now, requestId } = changeOf(c, deps.clock);
      const status = await plugins.update(
        name,
        {
          ...(body.enabled === undefined ? {} : { enabled: body.enabled }),
          ...(body.config === undefined ? {} : { config: body.config }),
        },
        { actor, at: now, reason: body.reason ?? null, requestId: requestId ?? null },
        current.settingsVersion,
      );
      c.header("ETag", etagOf(status));
      return c.json(shown(status), 200);
    },
  );

  // A plugin's own routes: any valid token (a WebSocket may send it as ?access_token=).
  const serve = async (c: Context<ApiEnv>) => {
    const request = await withActor(c, deps);
    return await host().fetch(c.req.param("name") ?? "", request);
  };
  app.all("/plugins/:name", serve);
  app.all("/plugins/:name/*", serve);
}

// The manifest as plain JSON: its optional fields are absent, never undefined.
function shown(status: PluginStatus) {
  return { ...status, manifest: status.manifest as Record<string, unknown> | null };
}

function etagOf(status: PluginStatus): string {
  return `"${status.name}-v${status.settingsVersion}"`;
}

/**
 * The request with the caller's identity in X-Actor-Id and X-Actor-Role
 * (set here only: a client's own are replaced) and without its token, which
 * the plugin has no business seeing (engine/plugins/request_actor.ts).
 */
async function withActor(c: Context<ApiEnv>, deps: ApiDeps): Promise<Request> {
  const raw = c.req.raw;
  const url = new URL(raw.url);
  const header = raw.headers.get("authorization");
  const secret = header?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? url.searchParams.get("access_token");
  // A console page's WebSocket comes with the console session instead of a token.
  const actor = secret && deps.verifier
    ? await deps.verifier.verify(secret)
    : await sessionActorOfUpgrade(raw, deps);
  if (!actor) {
    throw new EngineError(
      "UNAUTHENTICATED",
      "Plugin routes need a valid API token: Authorization: Bearer <token> (or ?access_token= " +
        "for a WebSocket, or a console session for a WebSocket opened by a console page)",
      { headers: { "WWW-Authenticate": 'Bearer realm="customer-success-engine"' } },
    );
  }
  // A WebSocket upgrade must reach the plugin as the server received it.
  if (raw.headers.get("upgrade")?.toLowerCase() === "websocket") {
    setRequestActor(raw, { id: actor.id, role: actor.role });
    return raw;
  }
  const headers = new Headers(raw.headers);
  headers.delete("authorization");
  headers.set("x-actor-id", actor.id);
  headers.set("x-actor-role", actor.role);
  url.searchParams.delete("access_token");
  // Read through Hono: the engine's middleware may have read the body already (it keeps a copy).
  const body = raw.method === "GET" || raw.method === "HEAD" ? null : await c.req.arrayBuffer();
  return new Request(url, { method: raw.method, headers, body });
}
