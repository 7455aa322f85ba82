/**
 * The `ml` component: the models the engine scores customers with. Today that
 * is the declarative health model; the churn model arrives with issue 6, which
 * replaces `churnModelCheck` with one that reports the loaded ONNX model.
 */
import type { Config } from "../config.ts";
import type { Db } from "../db/mod.ts";
import { healthScoringSummary } from "../health/mod.ts";
import { describeAge, type HealthCheck } from "./health_checks.ts";

/** The churn model: none is trained or loaded before issue 6. */
export function churnModelCheck(
  config: Pick<Config, "ML_CHURN_PREDICTION_ENABLED" | "ML_MODEL_PATH" | "ML_MODEL_VERSION">,
): HealthCheck {
  return {
    name: "churn-model",
    component: "ml",
    run() {
      const details = {
        enabled: config.ML_CHURN_PREDICTION_ENABLED,
        loaded: false,
        version: null,
        requestedVersion: config.ML_MODEL_VERSION ?? null,
        modelPath: config.ML_MODEL_PATH,
      };
      return Promise.resolve(
        config.ML_CHURN_PREDICTION_ENABLED
          ? {
            status: "degraded",
            message: "No churn model trained yet: churn prediction (training, ONNX inference, " +
              "prediction logs) arrives with issue 6; health scores work without it",
            details,
          }
          : {
            status: "healthy",
            message: "Churn prediction is turned off (ML_CHURN_PREDICTION_ENABLED=false)",
            details,
          },
      );
    },
  };
}

/** The health model in use, the newest score, and customers that have never been scored. */
export function healthScoringCheck(db: Db): HealthCheck {
  return {
    name: "health-scoring",
    component: "ml",
    async run({ now }) {
      const summary = await healthScoringSummary(db);
      const details = {
        activeModelVersion: summary.activeModelVersion,
        lastScoredAt: summary.lastScoredAt?.toISOString() ?? null,
        lastScoredModelVersion: summary.lastScoredModelVersion,
        lastScoredAgeSeconds: summary.lastScoredAt
          ? Math.round((now.getTime() - summary.lastScoredAt.getTime()) / 1000)
          : null,
        activeCustomers: summary.activeCustomers,
        unscoredCustomers: summary.unscoredCustomers,
      };
      if (summary.activeModelVersion === null) {
        return {
          status: "unhealthy",
          message: "No health model is active, so no customer can be scored: run " +
            "deno task migrate (it installs the default model) or activate one",
          details,
        };
      }
      if (summary.lastScoredAt === null) {
        return summary.activeCustomers === 0
          ? {
            status: "healthy",
            message: `Health model ${summary.activeModelVersion} is active; there are no ` +
              "customers to score yet",
            details,
          }
          : {
            status: "degraded",
            message: `None of the ${summary.activeCustomers} customers has a health score yet: ` +
              "run a cycle (POST /api/v1/cycles or deno task score)",
            details,
          };
      }
      const unscored = summary.unscoredCustomers > 0
        ? `; ${summary.unscoredCustomers} newer customer(s) get their first score in the next cycle`
        : "";
      return {
        status: "healthy",
        message: `Health model ${summary.activeModelVersion} is active; the newest score is ` +
          `${describeAge(now.getTime() - summary.lastScoredAt.getTime())} old${unscored}`,
        details,
      };
    },
  };
}
