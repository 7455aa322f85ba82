/**
 * The event hub's delivery to a plugin, for operators: deliver its events
 * again from an event id or a time, see the events it failed on for good
 * (dead letters) and deliver those again. Each replay is an audit entry.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { EngineError } from "../../errors.ts";
import { type EventHubView, parseReplayFrom } from "../../plugins/mod.ts";
import { changeOf } from "../actor.ts";
import type { Api, ApiDeps } from "../deps.ts";
import { json, jsonBody, pageQuery, problems } from "../schemas.ts";

const nameParam = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, {
    error: "must be a plugin name: lower-case letters, digits and '-'",
  }).openapi({ param: { name: "name", in: "path" }, example: "viral" }),
});

const reasonBody = jsonBody(
  z.strictObject({ reason: z.string().max(1000).optional() }),
  { required: false },
);

const replayQuery = z.object({
  from: z.string().refine((text) => parseReplayFrom(text) !== null, {
    error: "must be an event id (a whole number from 1) or an ISO 8601 time with a time zone, " +
      "e.g. 2026-11-25T09:00:00Z",
  }).openapi({
    description: "An event id (the first event with this id or a later one), or an ISO 8601 " +
      "time (the first event recorded at or after it)",
    example: "2026-11-25T09:00:00Z",
  }),
});

const replaySchema = z.object({
  plugin: z.string(),
  fromEventId: z.number().int().nullable().openapi({
    description: "The first event delivered again; null when no event is at or after `from`",
  }),
  events: z.number().int().openapi({
    description: "Events of the plugin's types it receives from there, counting any it had " +
      "not received yet",
  }),
}).openapi("PluginReplay");

const deadLetterSchema = z.object({
  id: z.number().int(),
  plugin: z.string(),
  eventId: z.number().int(),
  eventType: z.string().nullable().openapi({ description: "Null when the event is gone" }),
  customerId: z.string().nullable(),
  attempts: z.number().int(),
  lastError: z.string(),
  failedAt: z.string(),
  replayedAt: z.string().nullable().openapi({
    description: "When it was queued for another delivery; null while it waits for a replay",
  }),
  replayedBy: z.string().nullable(),
}).openapi("PluginDeadLetter");

/** Registers the routes of plugins' event delivery. */
export function registerPluginEventRoutes(app: Api, deps: ApiDeps): void {
  const hub = (): EventHubView => {
    if (!deps.eventHub) {
      throw new EngineError(
        "PLUGIN_UNAVAILABLE",
        "The event hub does not run in this engine, so no plugin receives events: turn it on " +
          "with SUCCESS_EVENT_HUB_ENABLED=true",
      );
    }
    return deps.eventHub;
  };

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/plugins/{name}/replay",
      operationId: "replayPluginEvents",
      summary: "Deliver a plugin's events again, from an event id or a time",
      description: "Moves the plugin's cursor back to just before the first event at or after " +
        "`from` (never forward: events not delivered yet are not skipped). Its deliverer then " +
        "delivers from there, in log order. An audit entry `plugin.events_replayed`.",
      tags: ["Plugins"],
      request: { params: nameParam, query: replayQuery, body: reasonBody },
      responses: {
        202: json(replaySchema, "The replay is queued: the plugin receives the events shortly"),
        ...problems(400, 403, 404, 503),
      },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      const from = parseReplayFrom(c.req.valid("query").from)!;
      const change = { ...changeOf(c, deps.clock), reason: c.req.valid("json")?.reason ?? null };
      return c.json(await hub().replay(name, from, change), 202);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/plugins/{name}/dead-letters",
      operationId: "listPluginDeadLetters",
      summary: "Events a plugin failed on for good, newest first",
      description: "An event is dead-lettered when the plugin's handler refuses it (an error " +
        "with `retriable: false`) or fails on it PLUGIN_MAX_ATTEMPTS times; delivery then goes " +
        "on with the next event.",
      tags: ["Plugins"],
      request: {
        params: nameParam,
        query: pageQuery.extend({
          cursor: z.string().regex(/^[1-9][0-9]{0,15}$/, {
            error: "must be the nextCursor of an earlier page (a dead letter id)",
          }).optional().openapi({ description: "The `nextCursor` of the previous page" }),
          status: z.enum(["pending", "replayed", "all"]).default("all").openapi({
            description: "pending: not replayed yet; replayed; all",
          }),
        }),
      },
      responses: {
        200: json(
          z.object({ items: z.array(deadLetterSchema), nextCursor: z.string().nullable() }),
          "A page of dead letters",
        ),
        ...problems(400, 404, 503),
      },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      const { limit, cursor, status } = c.req.valid("query");
      const page = await hub().deadLetters(name, {
        limit,
        status,
        ...(cursor === undefined ? {} : { cursor: Number(cursor) }),
      });
      return c.json({
        items: page.items,
        nextCursor: page.nextCursor === null ? null : String(page.nextCursor),
      }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/plugins/{name}/dead-letters/replay",
      operationId: "replayPluginDeadLetters",
      summary: "Deliver a plugin's dead letters again",
      description: "Marks every dead letter not replayed yet as replayed and queues its event; " +
        "the plugin's deliverer delivers them before going on with the log. One that fails " +
        "for good again becomes a new dead letter. An audit entry " +
        "`plugin.dead_letters_replayed`.",
      tags: ["Plugins"],
      request: { params: nameParam, body: reasonBody },
      responses: {
        202: json(
          z.object({
            plugin: z.string(),
            deadLetters: z.number().int().openapi({ description: "How many were queued" }),
          }),
          "The dead letters are queued for delivery",
        ),
        ...problems(400, 403, 404, 503),
      },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      const change = { ...changeOf(c, deps.clock), reason: c.req.valid("json")?.reason ?? null };
      return c.json(await hub().replayDeadLetters(name, change), 202);
    },
  );
}
