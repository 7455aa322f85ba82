/**
 * The retention job (DATA_RETENTION_DAYS): removes what is older than the
 * window. Monthly partitions (usage_events, churn_prediction_logs) that lie
 * wholly before the cutoff are detached and dropped; the other tables are
 * deleted in batches (retention_batches.ts). Each run is recorded in
 * retention_runs, its progress written as it goes, so a run that dies
 * midway still says what it removed; running again finishes the job.
 */
import { DAY_MS } from "../clock.ts";
import type { Db } from "../db/mod.ts";
import {
  BATCH_TARGETS,
  type BatchCounts,
  countTarget,
  deleteBatch,
  type PluginTable,
  pluginTableTarget,
} from "./retention_batches.ts";
import {
  dropPartition,
  expiredPartitions,
  partitionBound,
  PARTITIONED_TABLES,
} from "./retention_partitions.ts";
import { type RemovedFrom, type RetentionTrigger, startRun, updateRun } from "./retention_runs.ts";

/** How a run goes. */
export interface RetentionOptions {
  retentionDays: number;
  /** The time the window is measured back from. */
  now: () => Date;
  /** Count what would go, remove nothing (the run is still recorded, as a dry run). */
  dryRun?: boolean;
  trigger?: RetentionTrigger;
  /** Rows per delete statement (5,000 by default). */
  batchSize?: number;
  /** How long dropping a partition waits for the parent table's lock (5 s by default). */
  lockTimeoutMs?: number;
  /** Tables plugins keep in the engine's database (their manifests' `retention`). */
  pluginTables?: readonly PluginTable[];
  /** Called after each partition and batch with the table's running total. */
  onProgress?: (progress: RemovedFrom) => void;
}

/** What a run did. */
export interface RetentionReport {
  runId: number;
  dryRun: boolean;
  cutoff: Date;
  removed: RemovedFrom[];
}

/** The instant before which data is removed. */
export function retentionCutoff(now: Date, retentionDays: number): Date {
  return new Date(now.getTime() - retentionDays * DAY_MS);
}

/** Runs retention once; throws (after recording the failure) when a step fails. */
export async function runRetention(db: Db, options: RetentionOptions): Promise<RetentionReport> {
  const dryRun = options.dryRun ?? false;
  const cutoff = retentionCutoff(options.now(), options.retentionDays);
  const runId = await startRun(db, {
    trigger: options.trigger ?? "cli",
    dryRun,
    retentionDays: options.retentionDays,
    cutoff,
    startedAt: options.now(),
  });
  const removed: RemovedFrom[] = [];
  const progress = async (entry: RemovedFrom) => {
    options.onProgress?.(entry);
    await updateRun(db, runId, {
      removed,
      status: "running",
      error: null,
      finishedAt: null,
      at: options.now(),
    });
  };
  try {
    for (const table of PARTITIONED_TABLES) {
      const entry: RemovedFrom = { table, rows: 0, partitions: [] };
      removed.push(entry);
      for (const partition of await expiredPartitions(db, table, cutoff)) {
        if (!dryRun) {
          await dropPartition(db, partition, { lockTimeoutMs: options.lockTimeoutMs ?? 5_000 });
        }
        entry.rows += partition.rows;
        entry.partitions!.push(partition.name);
        await progress(entry);
      }
    }
    const bound = partitionBound(cutoff);
    const plugins = (options.pluginTables ?? []).map(pluginTableTarget);
    for (const target of [...BATCH_TARGETS, ...plugins]) {
      const at = target.from === "cutoff" ? cutoff : bound;
      const entry: RemovedFrom = target.plugin === undefined
        ? { table: target.table, rows: 0 }
        : { table: target.table, rows: 0, plugin: target.plugin };
      removed.push(entry);
      const children: RemovedFrom[] = [];
      const add = (counts: BatchCounts) => {
        entry.rows += counts.n ?? 0;
        for (const [name, n] of Object.entries(counts)) {
          if (name === "n") continue;
          // The intervention children: outbox, outcomes, effects.
          const table = `intervention_${name}`;
          let child = children.find((c) => c.table === table);
          if (!child) children.push(child = { table, rows: 0 });
          child.rows += n;
        }
      };
      if (dryRun) {
        add(await countTarget(db, target, at));
      } else {
        const batchSize = options.batchSize ?? 5_000;
        for (;;) {
          const counts = await deleteBatch(db, target, { at, batchSize });
          add(counts);
          await progress(entry);
          if ((counts.n ?? 0) < batchSize) break;
        }
      }
      removed.push(...children);
      await progress(entry);
    }
    await updateRun(db, runId, {
      removed,
      status: "succeeded",
      error: null,
      finishedAt: options.now(),
      at: options.now(),
    });
    return { runId, dryRun, cutoff, removed };
  } catch (error) {
    await updateRun(db, runId, {
      removed,
      status: "failed",
      error: error instanceof Error ? error.message : String(error),
      finishedAt: options.now(),
      at: options.now(),
    }).catch(() => {}); // The database may be gone: the first error is the one to report.
    throw error;
  }
}
