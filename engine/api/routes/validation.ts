/**
 * `GET /api/v1/validation`: production validation as the running engine sees
 * it — its plugins, its health monitor, its loaded churn model. `deno task
 * validate` asks here when the engine holds the embedded database.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { ChurnModels } from "../../ml/mod.ts";
import { createHealthMonitor, validateProduction, validationProblems } from "../../ops/mod.ts";
import type { Api, ApiDeps } from "../deps.ts";
import { json, problems } from "../schemas.ts";

const resultSchema = z.object({
  check: z.string().openapi({ example: "migrations" }),
  status: z.enum(["pass", "warn", "fail", "skip"]).openapi({
    description: "pass: ready; warn: works, worth a look; fail: not ready; skip: turned off",
  }),
  message: z.string().openapi({ description: "What was checked and found" }),
  fix: z.string().nullable().openapi({ description: "What to do, for fail and warn" }),
}).openapi("ValidationResult");

const validationSchema = z.object({
  ready: z.boolean().openapi({ description: "No check failed" }),
  problems: z.number().int().openapi({ description: "How many checks failed" }),
  results: z.array(resultSchema),
}).openapi("ProductionValidation");

/** Registers the production validation route. */
export function registerValidationRoutes(app: Api, deps: ApiDeps): void {
  const health = deps.health ?? createHealthMonitor({
    db: deps.db,
    config: deps.config,
    clock: deps.clock,
    log: deps.log.child({ component: "health" }),
    ...(deps.plugins ? { plugins: deps.plugins } : {}),
  });
  // An app without the engine's models (tests) loads its own, once.
  let churnModels = deps.churnModels;

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/validation",
      operationId: "validateProduction",
      summary: "Production validation: is this deployment ready?",
      description: "Migrations, churn model, plugins, endpoints, configuration, schedules, " +
        "health monitor, encryption key and audit chain, one result each (docs/operations.md). " +
        "Always 200: `ready` says the verdict. Reaches every configured endpoint, so it takes " +
        "up to a few seconds.",
      tags: ["Operations"],
      responses: { 200: json(validationSchema, "The results"), ...problems(403) },
    }),
    async (c) => {
      churnModels ??= new ChurnModels({
        db: deps.db,
        scorer: deps.config.ML_SCORER,
        log: deps.log.child({ component: "ml" }),
      });
      const results = await validateProduction({
        db: deps.db,
        config: deps.config,
        clock: deps.clock,
        log: deps.log,
        churnModels,
        health,
        ...(deps.plugins ? { plugins: deps.plugins } : {}),
      });
      const failed = validationProblems(results).length;
      c.header("Cache-Control", "no-store");
      return c.json({ ready: failed === 0, problems: failed, results }, 200);
    },
  );
}
