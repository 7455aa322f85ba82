/**
 * Churn prediction over HTTP: a customer's latest prediction and why, the
 * model registry (activate, roll back), verification of the loaded model
 * against its card, and realized performance with feature drift.
 */
import { createRoute, z } from "@hono/zod-openapi";
import {
  driftReport,
  getCustomerPrediction,
  getModel,
  latestModelPerformance,
  listModels,
  verifyModel,
} from "../../ml/mod.ts";
import { customerIdSchema, getCustomer } from "../../signals/mod.ts";
import { EngineError } from "../../errors.ts";
import { changeOf } from "../actor.ts";
import type { Api, ApiDeps } from "../deps.ts";
import { documented, json, jsonBody, problems } from "../schemas.ts";

const contribution = z.object({
  feature: z.string(),
  description: z.string(),
  value: z.number().nullable().openapi({ description: "The feature's value (null: missing)" }),
  valueLabel: z.string().nullable().openapi({
    description: "For a category, its name (vendor_type 0 is photographer)",
  }),
  contribution: z.number().openapi({
    description: "Log-odds this feature added (positive: towards churn)",
  }),
});
const predictionSchema = z.object({
  customerId: z.string(),
  modelVersion: z.string(),
  probability: z.number().openapi({ description: "Churn within the horizon (default 90 days)" }),
  confidence: z.number().openapi({ description: "Probability of the predicted outcome" }),
  confident: z.boolean().openapi({ description: "confidence ≥ ML_CONFIDENCE_THRESHOLD" }),
  predictedAt: z.string(),
  contributions: z.array(contribution).openapi({ description: "The top 5, largest first" }),
}).openapi("ChurnPrediction");

const modelSchema = z.object({
  version: z.string(),
  status: z.enum(["candidate", "active", "retired", "rejected"]),
  fileSha256: z.string(),
  featureNames: z.array(z.string()),
  metrics: z.record(z.string(), z.unknown()),
  source: z.string(),
  trainedAt: z.string(),
  registeredAt: z.string(),
  activatedAt: z.string().nullable(),
}).openapi("ChurnModel");

const performanceSchema = z.object({
  modelVersion: z.string(),
  computedAt: z.string(),
  horizonDays: z.number().int(),
  predictions: z.number().int().openapi({ description: "Judged: one per customer" }),
  churned: z.number().int(),
  rocAuc: z.number().nullable(),
  accuracy: z.number().nullable().openapi({ description: "At probability 0.5" }),
  brier: z.number().nullable(),
  calibration: z.array(z.object({
    bin: z.number().int(),
    count: z.number().int(),
    meanPredicted: z.number(),
    observedRate: z.number(),
  })),
});
const driftSchema = z.object({
  modelVersion: z.string().nullable(),
  cycleId: z.number().int().nullable(),
  scoredAt: z.string().nullable(),
  rows: z.number().int(),
  features: z.array(z.object({
    feature: z.string(),
    psi: z.number().nullable().openapi({ description: "Population stability index" }),
    status: z.enum(["stable", "moderate", "shifted", "unknown"]),
  })),
  note: z.string().nullable(),
});

const versionParam = z.object({
  version: z.string().regex(/^[0-9A-Za-z][0-9A-Za-z.+-]{0,63}$/, {
    error: "must be a model version like 1.0.0",
  }).openapi({ param: { name: "version", in: "path" } }),
});
const reasonBody = jsonBody(z.strictObject({ reason: z.string().max(1000).optional() }), {
  required: false,
});

/** Registers the churn prediction routes. */
export function registerMlRoutes(app: Api, deps: ApiDeps): void {
  const models = () => {
    if (!deps.churnModels) {
      throw new EngineError("ML_UNAVAILABLE", "Churn prediction is not running in this engine");
    }
    return deps.churnModels;
  };

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/customers/{id}/prediction",
      operationId: "getCustomerPrediction",
      summary: "A customer's latest churn prediction, and the features that drove it",
      tags: ["Churn prediction"],
      request: {
        params: z.object({
          id: documented(customerIdSchema).openapi({ param: { name: "id", in: "path" } }),
        }),
      },
      responses: { 200: json(predictionSchema, "The prediction"), ...problems(400, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      await getCustomer(deps.db, id);
      return c.json(await getCustomerPrediction(deps.db, id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/models",
      operationId: "listModels",
      summary: "Registered churn models, newest first; one is active",
      tags: ["Churn prediction"],
      responses: { 200: json(z.object({ items: z.array(modelSchema) }), "The models") },
    }),
    async (c) => c.json({ items: await listModels(deps.db) }, 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/models/{version}",
      operationId: "getModel",
      summary: "One churn model with its model card",
      tags: ["Churn prediction"],
      request: { params: versionParam },
      responses: {
        200: json(
          modelSchema.extend({ card: z.record(z.string(), z.unknown()) }),
          "The model",
        ),
        ...problems(400, 404),
      },
    }),
    async (c) => c.json(await getModel(deps.db, c.req.valid("param").version), 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/models/{version}/activate",
      operationId: "activateModel",
      summary: "Score with this model from the next cycle on",
      description: "The file is loaded first: one that does not load is refused (422) and the " +
        "active model stays. An audit entry `model.activated`.",
      tags: ["Churn prediction"],
      request: { params: versionParam, body: reasonBody },
      responses: {
        200: json(modelSchema, "The model, now active"),
        ...problems(400, 403, 404, 422),
      },
    }),
    async (c) => {
      const change = { ...changeOf(c, deps.clock), reason: c.req.valid("json")?.reason ?? null };
      return c.json(await models().activate(c.req.valid("param").version, change), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/models/rollback",
      operationId: "rollbackModel",
      summary: "Go back to the model that was active before the current one",
      description: "An audit entry `model.rolled_back`.",
      tags: ["Churn prediction"],
      request: { body: reasonBody },
      responses: {
        200: json(modelSchema, "The model, active again"),
        ...problems(403, 409, 422),
      },
    }),
    async (c) => {
      const change = { ...changeOf(c, deps.clock), reason: c.req.valid("json")?.reason ?? null };
      return c.json(await models().rollback(change), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/ml/verify",
      operationId: "verifyModel",
      summary: "Score the model card's check set with the loaded scorer and compare",
      tags: ["Churn prediction"],
      request: {
        body: jsonBody(
          z.strictObject({
            model: z.literal("churn_prediction").optional(),
            version: z.string().max(64).optional().openapi({
              description: "Default: the active model",
            }),
          }),
          { required: false },
        ),
      },
      responses: {
        200: json(
          z.object({
            version: z.string(),
            scorer: z.enum(["onnxruntime", "typescript"]),
            rows: z.number().int(),
            maxDifference: z.number(),
            passed: z.boolean(),
            metrics: z.record(z.string(), z.unknown()),
          }).openapi("ModelVerification"),
          "The verification",
        ),
        ...problems(400, 403, 404, 409, 422),
      },
    }),
    async (c) => {
      const version = c.req.valid("json")?.version;
      return c.json(await verifyModel(deps.db, models(), version), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/ml/performance",
      operationId: "modelPerformance",
      summary: "Realized performance per model version, and feature drift of the active model",
      tags: ["Churn prediction"],
      responses: {
        200: json(
          z.object({
            alertThreshold: z.number().openapi({ description: "ML_ACCURACY_ALERT_THRESHOLD" }),
            models: z.array(performanceSchema),
            drift: driftSchema,
          }).openapi("ModelPerformance"),
          "Performance and drift",
        ),
      },
    }),
    async (c) =>
      c.json({
        alertThreshold: deps.config.ML_ACCURACY_ALERT_THRESHOLD,
        models: await latestModelPerformance(deps.db),
        drift: await driftReport(deps.db),
      }, 200),
  );
}
