/**
 * The stages of an evaluation cycle, in data-flow order: repair milestones,
 * score health, evaluate the published rules. Predictions and interventions
 * join as later stages.
 */
import type { Config } from "../config.ts";
import { scoreAllCustomers, scoringSettings } from "../health/mod.ts";
import { evaluateRulesForCycle } from "../rules/mod.ts";
import { evaluateMilestones } from "../signals/mod.ts";
import type { CycleStageDefinition } from "./runner.ts";

/** The evaluation cycle's stages. */
export function evaluationStages(
  config: Pick<Config, "SCORING_BATCH_SIZE" | "SCORING_CONCURRENCY" | "HEALTH_CHANGE_THRESHOLD">,
): CycleStageDefinition[] {
  return [
    {
      // Ingest evaluates milestones as events arrive; this pass catches any
      // that concurrent batches for one customer left uncounted.
      name: "milestones",
      run: async ({ db, asOf }) => {
        const { achieved } = await evaluateMilestones(db, { asOf });
        return { achieved };
      },
    },
    {
      name: "health",
      run: async ({ db, asOf, cycleId, progress }) => {
        const result = await scoreAllCustomers(db, {
          asOf,
          cycleId,
          ...scoringSettings(config),
          onProgress: progress,
        });
        return { scored: result.scored, changed: result.changed, batches: result.batches };
      },
    },
    {
      // The published rules over every active customer; the firings are stored.
      name: "rules",
      run: async ({ db, asOf, cycleId, progress, log }) => {
        const result = await evaluateRulesForCycle(db, {
          asOf,
          cycleId,
          batchSize: config.SCORING_BATCH_SIZE,
          onProgress: progress,
        });
        const failing = Object.entries(result.errors);
        if (failing.length > 0) {
          log.warn("rules threw for some customers; they were skipped for them", {
            cycleId,
            errors: result.errors,
          });
        }
        return {
          rules: result.rules,
          customers: result.customers,
          firings: result.firings,
          batches: result.batches,
          errors: failing.reduce((sum, [, n]) => sum + n, 0),
        };
      },
    },
  ];
}
