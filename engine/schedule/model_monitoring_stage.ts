/**
 * The model-monitoring stage: once a day (the first cycle a day after the
 * last computation), each churn model version's realized performance is
 * computed from its predictions whose horizon has passed; a version whose
 * accuracy falls below ML_ACCURACY_ALERT_THRESHOLD raises `ml.degraded`.
 */
import { DAY_MS } from "../clock.ts";
import type { Config } from "../config.ts";
import { computeModelPerformance } from "../ml/mod.ts";
import type { WholeStage } from "./runner.ts";

/** The stage. */
export function modelMonitoringStage(
  config: Pick<
    Config,
    "ML_CHURN_PREDICTION_ENABLED" | "ML_HORIZON_DAYS" | "ML_ACCURACY_ALERT_THRESHOLD"
  >,
): WholeStage {
  return {
    name: "model-monitoring",
    run: async ({ db, asOf }) => {
      if (!config.ML_CHURN_PREDICTION_ENABLED) return { versions: 0, degraded: 0 };
      const [last] = await db.query<{ at: Date | null }>(
        "select max(computed_at) as at from churn_model_performance",
      );
      if (last?.at && asOf.getTime() - new Date(last.at).getTime() < DAY_MS) {
        return { versions: 0, degraded: 0 };
      }
      const results = await computeModelPerformance(db, {
        asOf,
        horizonDays: config.ML_HORIZON_DAYS,
        alertThreshold: config.ML_ACCURACY_ALERT_THRESHOLD,
      });
      return {
        versions: results.length,
        degraded:
          results.filter((r) =>
            r.accuracy !== null && r.accuracy < config.ML_ACCURACY_ALERT_THRESHOLD
          ).length,
      };
    },
  };
}
