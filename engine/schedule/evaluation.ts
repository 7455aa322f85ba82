/**
 * The stages of an evaluation cycle, in data-flow order: score health, then
 * evaluate the published rules. Both run over the active customers in shards
 * (runner.ts); what each shard uses — the health model, the rule versions —
 * is fixed when the stage is planned, so every engine and a resumed cycle do
 * the same work. Predictions and interventions join as later stages.
 *
 * Milestones need no stage: ingestion counts them exactly as events arrive
 * (engine/signals/milestones.ts).
 */
import type { Config } from "../config.ts";
import {
  batchScorer,
  getActiveHealthModel,
  type HealthModel,
  healthModelSchema,
  planBatches,
} from "../health/mod.ts";
import {
  loadPinnedRules,
  loadPublishedRules,
  type PinnedRuleSet,
  recordRuleFailures,
  ruleBatchEvaluator,
} from "../rules/mod.ts";
import { parseOrThrow } from "../validation.ts";
import type { CycleStageDefinition } from "./runner.ts";

/** The evaluation cycle's stages. */
export function evaluationStages(
  config: Pick<
    Config,
    "SCORING_BATCH_SIZE" | "HEALTH_CHANGE_THRESHOLD" | "RULE_FAILURE_LIMIT"
  >,
): CycleStageDefinition[] {
  const batchSize = config.SCORING_BATCH_SIZE;
  return [
    {
      name: "health",
      sharded: true,
      plan: async ({ db, asOf }) => ({
        params: { model: await getActiveHealthModel(db) },
        shards: await planBatches(db, asOf, batchSize),
      }),
      prepare: (params, { asOf, cycleId }) => {
        const { model } = params as { model: unknown };
        const score = batchScorer(
          parseOrThrow(healthModelSchema, model, {
            what: "the cycle's health model",
          }) as HealthModel,
          { asOf, cycleId, batchSize, changeThreshold: config.HEALTH_CHANGE_THRESHOLD },
        );
        return Promise.resolve(async (tx, shard) => ({ counts: await score(tx, shard) }));
      },
      finish: ({ counts, shards }) =>
        Promise.resolve({ scored: counts.scored ?? 0, changed: counts.changed ?? 0, shards }),
    },
    {
      // The published rules over every active customer; the firings are stored.
      name: "rules",
      sharded: true,
      plan: async ({ db, asOf }) => {
        const rules = await loadPublishedRules(db);
        const params: PinnedRuleSet = { rules: rules.map(({ id, version }) => ({ id, version })) };
        // No rule published: nothing to evaluate, so no shards.
        return { params, shards: rules.length > 0 ? await planBatches(db, asOf, batchSize) : [] };
      },
      prepare: async (params, { db, asOf, cycleId }) => {
        const evaluate = ruleBatchEvaluator(
          await loadPinnedRules(db, params as PinnedRuleSet),
          { asOf, cycleId },
        );
        return async (tx, shard) => {
          const { customers, firings, errors } = await evaluate(tx, shard);
          return { counts: { customers, firings }, failures: errors };
        };
      },
      finish: async ({ counts, failures, shards }, { db, cycleId, params, log, now }) => {
        const pinned = (params as PinnedRuleSet).rules.map((r) => r.id);
        const errors = Object.values(failures).reduce((sum, n) => sum + n, 0);
        if (errors > 0) {
          log.warn("rules threw for some customers; they were skipped for them", {
            cycleId,
            errors: failures,
          });
        }
        const disabled = await recordRuleFailures(db, {
          cycleId,
          evaluated: pinned,
          failures,
          limit: config.RULE_FAILURE_LIMIT,
          now: now(),
        });
        for (const rule of disabled) {
          log.error("rule switched off: it threw in too many cycles in a row", { ...rule });
        }
        return {
          rules: pinned.length,
          customers: counts.customers ?? 0,
          firings: counts.firings ?? 0,
          shards,
          errors,
          disabled: disabled.length,
        };
      },
    },
  ];
}
