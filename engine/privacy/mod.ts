/**
 * Privacy: the retention job (DATA_RETENTION_DAYS) and encryption of personal
 * data at rest (encryption/mod.ts, re-exported here). Privacy requests join
 * them here (DESIGN.md, "privacy/").
 *
 * @example
 * ```ts
 * const report = await runRetention(db, { retentionDays: 730, now: () => new Date() });
 * console.log(report.removed);
 * ```
 */
export {
  retentionCutoff,
  type RetentionOptions,
  type RetentionReport,
  runRetention,
} from "./retention.ts";
export type { PluginTable } from "./retention_batches.ts";
export {
  lastRetentionRun,
  type RemovedFrom,
  type RetentionRun,
  type RetentionTrigger,
} from "./retention_runs.ts";
export {
  RETENTION_JOB,
  type RetentionDeps,
  runScheduledRetention,
  scheduleRetention,
} from "./retention_schedule.ts";
export * from "./encryption/mod.ts";
