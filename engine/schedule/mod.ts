/**
 * Cycles: evaluation runs (now, or on a cron schedule), at most one at a
 * time across every engine sharing the database, each recorded with its
 * stages, timings and counts.
 *
 * @example
 * ```ts
 * const runner = new CycleRunner({ db, clock, log, stages: evaluationStages(config), leaseSeconds: 60 });
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
} from "./cycles.ts";
export { runScheduledTick, scheduleCycles } from "./cron.ts";
export { evaluationStages } from "./evaluation.ts";
export {
  CycleRunner,
  type CycleRunnerOptions,
  type CycleStageDefinition,
  type StageContext,
  type StartedCycle,
} from "./runner.ts";
