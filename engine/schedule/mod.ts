/**
 * Cycles: evaluation runs (now, or on a cron schedule), at most one at a
 * time across every engine sharing the database (a lease), its customers in
 * shards any engine can claim, each recorded with its stages, timings and
 * counts, resumed from its unfinished shards if its engine dies.
 *
 * @example
 * ```ts
 * const runner = new CycleRunner({ db, clock, log, stages: evaluationStages(config), leaseSeconds: 60, shardWorkers: 2 });
 * const cycle = await runner.run("cli");
 * ```
 */
export {
  type Cycle,
  type CycleStage,
  type CycleStatus,
  type CycleTrigger,
  getCycle,
  listCycles,
  runningCycle,
  startCycle,
  takeOverExpiredCycle,
} from "./cycles.ts";
export { runScheduledTick, scheduleCycles } from "./cron.ts";
export { type CatchUp, catchUpMissedCycles } from "./catch_up.ts";
export { evaluationStages } from "./evaluation.ts";
export {
  CycleRunner,
  type CycleRunnerOptions,
  type CycleStageDefinition,
  type ShardedStage,
  type ShardWork,
  type StageContext,
  type StartedCycle,
  type WholeStage,
} from "./runner.ts";
export { runRetrain, scheduleRetrain } from "./retrain_schedule.ts";
export {
  refreshSuccessMetricsIfNever,
  runSuccessMetricsRefresh,
  scheduleSuccessMetricsRefresh,
  type SuccessMetricsDeps,
} from "./success_metrics_schedule.ts";
