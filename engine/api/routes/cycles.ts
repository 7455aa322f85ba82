/** Evaluation cycles: run one now, follow it, list past ones, see when they run. */
import { createRoute, z } from "@hono/zod-openapi";
import { nextCronTicks } from "../../cron_expression.ts";
import { getCycle, listCycles } from "../../schedule/mod.ts";
import type { Api, ApiDeps } from "../deps.ts";
import { cycleSchema, json, pageQuery, problems } from "../schemas.ts";

const scheduleSchema = z.object({
  schedule: z.string().openapi({ description: "CYCLE_SCHEDULE, five-field cron" }),
  timeZone: z.literal("UTC"),
  enabled: z.boolean().openapi({ description: "CUSTOMER_SUCCESS_ENABLED" }),
  nextRuns: z.array(z.string()).openapi({ description: "The next five ticks (none when off)" }),
  catchUp: z.enum(["run", "skip"]).openapi({ description: "CYCLE_CATCH_UP" }),
  leaseSeconds: z.number().int(),
  ruleFailureLimit: z.number().int(),
}).openapi("CycleSchedule");

/** Registers the cycle routes. */
export function registerCycleRoutes(app: Api, deps: ApiDeps): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/cycles",
      operationId: "startCycle",
      summary: "Run an evaluation cycle now",
      description: "Answers 202 at once with the running cycle (follow it at its Location), " +
        "or, with `?wait=true`, 200 once it has finished. 409 while another cycle runs.",
      tags: ["Cycles"],
      request: {
        query: z.object({
          wait: z.enum(["true", "false"]).default("false").openapi({
            description: "Wait for the cycle to finish",
          }),
        }),
      },
      responses: {
        200: json(cycleSchema, "The finished cycle (with wait=true)"),
        202: json(cycleSchema, "The cycle started"),
        ...problems(400, 409),
      },
    }),
    async (c) => {
      const { wait } = c.req.valid("query");
      const started = await deps.cycles.start("api");
      c.header("Location", `/api/v1/cycles/${started.cycle.id}`);
      if (wait === "true") return c.json(await started.finished, 200);
      return c.json(started.cycle, 202);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/cycles",
      operationId: "listCycles",
      summary: "Cycles, newest first",
      tags: ["Cycles"],
      request: {
        query: pageQuery.extend({
          cursor: z.string().regex(/^[1-9][0-9]{0,15}$/, {
            error: "must be the nextCursor of an earlier page (a cycle id)",
          }).optional().openapi({ description: "The `nextCursor` of the previous page" }),
        }),
      },
      responses: {
        200: json(
          z.object({ items: z.array(cycleSchema), nextCursor: z.string().nullable() }),
          "A page of cycles",
        ),
        ...problems(400),
      },
    }),
    async (c) => {
      const { limit, cursor } = c.req.valid("query");
      const page = await listCycles(deps.db, {
        limit,
        ...(cursor === undefined ? {} : { cursor: Number(cursor) }),
      });
      return c.json({
        items: page.cycles,
        nextCursor: page.nextCursor === null ? null : String(page.nextCursor),
      }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/cycles/schedule",
      operationId: "getCycleSchedule",
      summary: "When cycles run: the schedule, its next runs and the policies",
      tags: ["Cycles"],
      responses: { 200: json(scheduleSchema, "The schedule") },
    }),
    (c) => {
      const { config } = deps;
      return c.json({
        schedule: config.CYCLE_SCHEDULE,
        timeZone: "UTC" as const,
        enabled: config.CUSTOMER_SUCCESS_ENABLED,
        nextRuns: config.CUSTOMER_SUCCESS_ENABLED
          ? nextCronTicks(config.CYCLE_SCHEDULE, deps.clock.now(), 5).map((d) => d.toISOString())
          : [],
        catchUp: config.CYCLE_CATCH_UP,
        leaseSeconds: config.CYCLE_LEASE_SECONDS,
        ruleFailureLimit: config.RULE_FAILURE_LIMIT,
      }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/cycles/{id}",
      operationId: "getCycle",
      summary: "One cycle, with its stages, timings and counts",
      tags: ["Cycles"],
      request: {
        params: z.object({
          id: z.coerce.number().int().positive().openapi({ param: { name: "id", in: "path" } }),
        }),
      },
      responses: { 200: json(cycleSchema, "The cycle"), ...problems(400, 404) },
    }),
    async (c) => c.json(await getCycle(deps.db, c.req.valid("param").id), 200),
  );
}
