/** `POST /api/v1/events`: a batch of usage events. */
import { createRoute, z } from "@hono/zod-openapi";
import { eventBatchSchema, ingestEvents } from "../../signals/mod.ts";
import type { Api, ApiDeps } from "../deps.ts";
import { json, problems } from "../schemas.ts";

const ingestResultSchema = z.object({
  accepted: z.number().int().describe("Events stored now"),
  duplicates: z.number().int().describe("Events ignored because their id was already stored"),
  duplicateIds: z.array(z.string()),
  milestonesAchieved: z.number().int(),
}).openapi("IngestResult");

/** Registers the event ingestion route. */
export function registerEventRoutes(app: Api, deps: ApiDeps): void {
  const route = createRoute({
    method: "post",
    path: "/api/v1/events",
    operationId: "ingestEvents",
    summary: "Ingest a batch of usage events",
    description: `Stores up to ${deps.config.EVENT_BATCH_LIMIT} events at once, all or nothing. ` +
      "Events whose id was seen before are ignored and counted as duplicates.",
    tags: ["Signals"],
    request: {
      body: {
        required: true,
        content: {
          "application/json": { schema: eventBatchSchema(deps.config.EVENT_BATCH_LIMIT) },
        },
      },
    },
    responses: {
      200: json(ingestResultSchema, "The batch was stored"),
      ...problems(400, 413, 415, 422),
    },
  });
  app.openapi(route, async (c) => {
    const { events } = c.req.valid("json");
    const result = await ingestEvents(deps.db, events, {
      now: deps.clock.now(),
      limits: {
        futureToleranceSeconds: deps.config.EVENT_FUTURE_TOLERANCE_SECONDS,
        retentionDays: deps.config.DATA_RETENTION_DAYS,
      },
    });
    return c.json(result, 200);
  });
}
