/**
 * The stages of an evaluation cycle, in data-flow order: score health,
 * predict churn with the active model, evaluate the published rules, plan
 * the interventions their firings propose, measure the outcomes of earlier
 * ones. Each runs over the active customers in shards (runner.ts); what each
 * shard uses — the health model, the churn model version, the rule versions —
 * is fixed when the stage is planned, so every engine and a resumed cycle do
 * the same work.
 *
 * The outcomes stage then measures what earlier interventions did (health
 * after 14 days, retention at 30/60/90 days), for the interventions report,
 * and once a day model-monitoring judges the churn models' past predictions.
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
  type ExtraFacts,
  loadPinnedRules,
  loadPublishedRules,
  type PinnedRuleSet,
  recordRuleFailures,
  ruleBatchEvaluator,
} from "../rules/mod.ts";
import { parseOrThrow } from "../validation.ts";
import {
  capabilitiesOf,
  interventionPolicy,
  measureEffects,
  planBatch,
  type PlanParams,
  planParams,
} from "../interventions/mod.ts";
import type { ChurnModels } from "../ml/mod.ts";
import { churnStage } from "./churn_stage.ts";
import { modelMonitoringStage } from "./model_monitoring_stage.ts";
import type { CycleStageDefinition } from "./runner.ts";

/** What the stages need besides the configuration. */
export interface EvaluationDeps {
  /** The channel kinds registered now (the interventions stage plans sends only for those). */
  channels(): Iterable<string>;
  /** The churn models (without them, or without an active model, the churn stage skips). */
  churnModels?: ChurnModels;
  /** The facts plugins contribute, per batch (PluginHost.facts); none when not given. */
  pluginFacts?: ExtraFacts;
}

/** The evaluation cycle's stages. */
export function evaluationStages(
  config: Pick<
    Config,
    | "SCORING_BATCH_SIZE"
    | "HEALTH_CHANGE_THRESHOLD"
    | "HEALTH_BOOST_MAX_POINTS"
    | "RULE_FAILURE_LIMIT"
    | "INTERVENTION_SYSTEM_ENABLED"
    | "INTERVENTION_FREQUENCY_CAP"
    | "INTERVENTION_FREQUENCY_DAYS"
    | "QUIET_HOURS"
    | "ML_CHURN_PREDICTION_ENABLED"
    | "ML_CONFIDENCE_THRESHOLD"
    | "ML_BATCH_SIZE"
    | "ML_HORIZON_DAYS"
    | "ML_ACCURACY_ALERT_THRESHOLD"
  >,
  deps: EvaluationDeps = { channels: () => [] },
): CycleStageDefinition[] {
  const batchSize = config.SCORING_BATCH_SIZE;
  const policy = interventionPolicy(config);
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
          {
            asOf,
            cycleId,
            batchSize,
            changeThreshold: config.HEALTH_CHANGE_THRESHOLD,
            boostMaxPoints: config.HEALTH_BOOST_MAX_POINTS,
          },
        );
        return Promise.resolve(async (tx, shard) => ({ counts: await score(tx, shard) }));
      },
      finish: ({ counts, shards }) =>
        Promise.resolve({ scored: counts.scored ?? 0, changed: counts.changed ?? 0, shards }),
    },
    // Churn predictions, before the rules that may use them.
    churnStage(config, deps.churnModels ?? null, batchSize),
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
          { asOf, cycleId, extraFacts: deps.pluginFacts },
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
    {
      // The planner over the rules stage's firings: decisions recorded, sends to the outbox.
      name: "interventions",
      sharded: true,
      plan: async ({ db, asOf, cycleId }) => {
        const params = await planParams(db, deps.channels());
        const [row] = await db.query<{ any: boolean }>(
          `select exists (select 1 from rule_firings
             where cycle_id = $1 and event ->> 'type' = 'intervention') as any`,
          [cycleId],
        );
        const plan = config.INTERVENTION_SYSTEM_ENABLED && row?.any;
        return { params, shards: plan ? await planBatches(db, asOf, batchSize) : [] };
      },
      prepare: (params, { asOf, cycleId }) => {
        const capabilities = capabilitiesOf(params as PlanParams);
        return Promise.resolve(async (tx, shard) => {
          const result = await planBatch(tx, shard, { cycleId, asOf, policy, capabilities });
          return { counts: { ...result } };
        });
      },
      finish: ({ counts, shards }) =>
        Promise.resolve({
          proposals: counts.proposals ?? 0,
          toSend: counts.toSend ?? 0,
          heldOut: counts.heldOut ?? 0,
          suppressed: counts.suppressed ?? 0,
          shards,
        }),
    },
    {
      // Earlier interventions' effects, measured as of this cycle's time.
      name: "outcomes",
      run: async ({ db, asOf }) => ({ ...await measureEffects(db, { asOf, batchSize }) }),
    },
    modelMonitoringStage(config),
  ];
}
