/**
 * The stages of an evaluation cycle, in data-flow order. This cycle
 * repairs milestones and scores health; rules, predictions and interventions
 * join as later stages.
 */
import type { Config } from "../config.ts";
import { scoreAllCustomers, scoringSettings } from "../health/mod.ts";
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
  ];
}
