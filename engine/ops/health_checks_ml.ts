/**
 * The `ml` component: the models the engine scores customers with — the
 * churn model (which version, which scorer, whether it loaded, how it did)
 * and the declarative health model.
 */
import type { Config } from "../config.ts";
import type { Db } from "../db/mod.ts";
import { healthScoringSummary } from "../health/mod.ts";
import type { ChurnModels } from "../ml/mod.ts";
import { describeAge, type HealthCheck } from "./health_checks.ts";

/** The churn model: active version, scorer, load errors, realized accuracy. */
export function churnModelCheck(
  db: Db,
  config: Pick<
    Config,
    | "ML_CHURN_PREDICTION_ENABLED"
    | "ML_SCORER"
    | "ML_ACCURACY_ALERT_THRESHOLD"
    | "ML_MODEL_VERSION"
  >,
  models: ChurnModels | null,
): HealthCheck {
  return {
    name: "churn-model",
    component: "ml",
    async run() {
      if (!config.ML_CHURN_PREDICTION_ENABLED) {
        return {
          status: "healthy",
          message: "Churn prediction is turned off (ML_CHURN_PREDICTION_ENABLED=false)",
          details: { enabled: false },
        };
      }
      const status = models
        ? await models.status()
        : { activeVersion: null, loaded: false, scorer: null, scorerReason: null, loadError: null };
      const [latest] = await db.query<{ predicted_at: Date | null; accuracy: number | null }>(
        `select (select max(scored_at) from churn_scoring_runs) as predicted_at,
           (select accuracy from churn_model_performance p
            where p.model_version = (select version from churn_models where status = 'active')
            order by computed_at desc limit 1) as accuracy`,
      );
      const details = {
        enabled: true,
        ...status,
        lastPredictedAt: latest?.predicted_at ? new Date(latest.predicted_at).toISOString() : null,
        realizedAccuracy: latest?.accuracy ?? null,
        accuracyAlertThreshold: config.ML_ACCURACY_ALERT_THRESHOLD,
        requestedVersion: config.ML_MODEL_VERSION ?? null,
      };
      if (!status.activeVersion) {
        return {
          status: "degraded",
          message: "No churn model is active: health scores and rules work, rules that need a " +
            "prediction see none; train one with deno task ml:train",
          details,
        };
      }
      if (status.loadError) {
        return {
          status: "unhealthy",
          message: `Churn model ${status.activeVersion} does not load: ${status.loadError}`,
          details,
        };
      }
      if (!status.loaded) {
        return {
          status: "degraded",
          message: `Churn model ${status.activeVersion} is not loaded yet (it loads at the next ` +
            "cycle)",
          details,
        };
      }
      if (status.scorer === "typescript" && config.ML_SCORER !== "typescript") {
        return {
          status: "degraded",
          message: `Churn model ${status.activeVersion} scores with the TypeScript evaluator ` +
            `(same probabilities, slower): ${
              status.scorerReason ?? "onnxruntime-node did not load"
            }`,
          details,
        };
      }
      if (
        latest?.accuracy !== null && latest?.accuracy !== undefined &&
        latest.accuracy < config.ML_ACCURACY_ALERT_THRESHOLD
      ) {
        return {
          status: "degraded",
          message: `Churn model ${status.activeVersion}'s realized accuracy ` +
            `${latest.accuracy.toFixed(3)} is below ${config.ML_ACCURACY_ALERT_THRESHOLD}: ` +
            "retrain it (deno task ml:train) or roll back",
          details,
        };
      }
      return {
        status: "healthy",
        message: `Churn model ${status.activeVersion} is active, scored by ${status.scorer}`,
        details,
      };
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
