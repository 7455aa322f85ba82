/**
 * The scoring benchmark's measured path: the churn stage of an evaluation
 * cycle, exactly as the engine runs it — `CycleRunner` with the `churn`
 * stage of `evaluationStages`, shards of SCORING_BATCH_SIZE customers,
 * SCORING_CONCURRENCY workers, the active model loaded by `ChurnModels` —
 * and the clean-up that removes what a run wrote.
 *
 * The split of a shard's time is measured from outside the engine: the
 * stage's shard work gets a transaction handle that times each statement by
 * what it is (the features query, the log COPY, the latest predictions and
 * their events, the drift row), and the model's scorer and drift
 * binning are timed through a `ChurnModels` that wraps what it loads. What
 * is left of a shard's time is the TypeScript between them: the path
 * attribution (`explain`) of every row and the log rows built from it.
 */
import type { Config } from "../../engine/config.ts";
import type { Db, Loadable } from "../../engine/db/mod.ts";
import { EngineError } from "../../engine/errors.ts";
import { silentLogger } from "../../engine/log.ts";
import { type ChurnModel, ChurnModels } from "../../engine/ml/mod.ts";
import {
  type Cycle,
  CycleRunner,
  evaluationStages,
  type ShardedStage,
} from "../../engine/schedule/mod.ts";
import { stageProgress } from "../../cli/output.ts";
import { BENCH_MODEL_VERSION } from "./model.ts";

/** Milliseconds spent per part of the shards' work, summed over the shards. */
export interface ShardTimes {
  shards: number;
  /** Each shard's work from claim to its last statement (commit excluded). */
  work: number;
  features: number;
  inference: number;
  driftBins: number;
  logCopy: number;
  latestAndEvents: number;
  scoringRun: number;
  /** Statements of the shard work not named above (none expected). */
  otherSql: number;
}

/** The churn models the stage loads, with their scorer and drift binning timed into `times`. */
export class TimedChurnModels extends ChurnModels {
  readonly times: ShardTimes = emptyTimes();
  #timed = new Map<string, Promise<ChurnModel>>();

  override version(version: string): Promise<ChurnModel> {
    let timed = this.#timed.get(version);
    if (!timed) {
      timed = super.version(version).then((model) => this.#wrap(model));
      this.#timed.set(version, timed);
    }
    return timed;
  }

  #wrap(model: ChurnModel): ChurnModel {
    const times = this.times;
    const scorer = model.scorer;
    return {
      ...model,
      scorer: {
        kind: scorer.kind,
        ...(scorer.reason === undefined ? {} : { reason: scorer.reason }),
        model: scorer.model,
        version: scorer.version,
        score: async (features, rows) => {
          const started = performance.now();
          try {
            return await scorer.score(features, rows);
          } finally {
            times.inference += performance.now() - started;
          }
        },
        close: () => scorer.close(),
      },
      binFeatures: (values, rows) => {
        const started = performance.now();
        try {
          return model.binFeatures(values, rows);
        } finally {
          times.driftBins += performance.now() - started;
        }
      },
    };
  }
}

/** What one run of the churn stage did. */
export interface StageRun {
  cycle: Cycle;
  /** The stage's time as the cycle records it (planning and bookkeeping included). */
  seconds: number;
  predicted: number;
  /** Latest predictions written (new or changed). */
  updated: number;
  /** `churn.predicted` events. */
  changed: number;
  logged: number;
  shards: number;
  workers: number;
  times: ShardTimes;
}

/**
 * Runs one cycle at `asOf` with the churn stage only (the health scoring it
 * reads is the population's), with `workers` shard workers.
 */
export async function runChurnStage(
  db: Db,
  config: Config,
  options: { asOf: Date; models: TimedChurnModels; workers: number },
): Promise<StageRun> {
  const { models } = options;
  Object.assign(models.times, emptyTimes());
  const stage = evaluationStages(config, { channels: () => [], churnModels: models })
    .find((s): s is ShardedStage => s.name === "churn" && s.sharded === true);
  if (!stage) throw new EngineError("INTERNAL", "The engine has no sharded churn stage");
  // The cycle's clock reads `asOf` at the start and advances in real time.
  const offset = Date.now() - options.asOf.getTime();
  const bars = stageProgress(() => `Churn stage, ${options.workers} shard worker(s)`);
  const runner = new CycleRunner({
    db,
    clock: { now: () => new Date(Date.now() - offset) },
    log: silentLogger,
    stages: [timedStage(stage, models.times)],
    leaseSeconds: config.CYCLE_LEASE_SECONDS,
    shardWorkers: options.workers,
    onProgress: bars.update,
  });
  const cycle = await runner.run("cli");
  bars.done();
  const churn = cycle.stages.find((s) => s.name === "churn");
  if (cycle.status !== "succeeded" || !churn) {
    throw new EngineError("INTERNAL", `The benchmark cycle ${cycle.status}: ${cycle.error}`);
  }
  if (!churn.counts.shards || churn.counts.skippedShards) {
    throw new EngineError(
      "INTERNAL",
      `The churn stage scored nothing (${JSON.stringify(churn.counts)}): is the model active?`,
    );
  }
  return {
    cycle,
    seconds: (churn.durationMs ?? 0) / 1000,
    predicted: churn.counts.predicted ?? 0,
    updated: churn.counts.updated ?? 0,
    changed: churn.counts.changed ?? 0,
    logged: churn.counts.logged ?? 0,
    shards: churn.counts.shards,
    workers: options.workers,
    times: { ...models.times },
  };
}

/** The stage with each shard's work timed, statement by statement. */
function timedStage(
  stage: ShardedStage,
  times: ShardTimes,
): ShardedStage {
  return {
    ...stage,
    prepare: async (params, ctx) => {
      const work = await stage.prepare(params, ctx);
      return async (tx, shard) => {
        const started = performance.now();
        try {
          return await work(timedTransaction(tx, times), shard);
        } finally {
          times.work += performance.now() - started;
          times.shards++;
        }
      };
    },
  };
}

function timedTransaction(
  tx: Loadable,
  times: ShardTimes,
): Loadable {
  const timedCall = async <T>(part: keyof ShardTimes, call: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await call();
    } finally {
      times[part] += performance.now() - started;
    }
  };
  return {
    query: (sql, params, options) => {
      return timedCall(statementKind(sql), () => tx.query(sql, params, options));
    },
    exec: (sql) => timedCall("otherSql", () => tx.exec(sql)),
    copyRows: (table, columns, rows) =>
      timedCall(copyKind(table), () => tx.copyRows(table, columns, rows)),
  };
}

function copyKind(table: string): keyof ShardTimes {
  if (table === "churn_prediction_logs") return "logCopy";
  if (table === "churn_predictions_latest" || table === "event_log") return "latestAndEvents";
  return "otherSql";
}

function statementKind(sql: string): keyof ShardTimes {
  if (/insert into churn_predictions_latest/.test(sql)) return "latestAndEvents";
  if (/insert into churn_scoring_runs/.test(sql)) return "scoringRun";
  if (/from usage_daily/.test(sql)) return "features";
  return "otherSql";
}

function emptyTimes(): ShardTimes {
  return {
    shards: 0,
    work: 0,
    features: 0,
    inference: 0,
    driftBins: 0,
    logCopy: 0,
    latestAndEvents: 0,
    scoringRun: 0,
    otherSql: 0,
  };
}

/**
 * Removes what runs of the benchmark's model wrote — prediction logs (the
 * month's partition itself when it holds no other model's rows: a run made
 * it), latest predictions, scoring runs, `churn.predicted` events, the
 * cycles — and vacuums those tables (this server runs without autovacuum).
 */
export async function removeScoringRuns(db: Db, asOf: Date): Promise<void> {
  const version = BENCH_MODEL_VERSION;
  await db.transaction(async (tx) => {
    // The name comes from the database's own to_char of a date.
    const [partition] = await tx.query<{ name: string }>(
      `select c.relname as name from pg_class c
       where c.oid = to_regclass('churn_prediction_logs_' ||
         to_char($1::timestamptz at time zone 'UTC', 'YYYY_MM'))`,
      [asOf],
    );
    if (partition) {
      const [others] = await tx.query(
        `select 1 from ${partition.name} where model_version <> $1 limit 1`,
        [version],
      );
      if (!others) await tx.exec(`drop table ${partition.name}`);
    }
    await tx.query("delete from churn_prediction_logs where model_version = $1", [version]);
    await tx.query("delete from churn_predictions_latest where model_version = $1", [version]);
    await tx.query("delete from churn_scoring_runs where model_version = $1", [version]);
    await tx.query(
      `delete from event_log where type = 'churn.predicted'
       and payload ->> 'modelVersion' = $1`,
      [version],
    );
    await tx.query(
      `delete from cycles where id in (
         select cycle_id from cycle_stage_plans where stage = 'churn' and params ->> 'version' = $1)
       or (status = 'running' and as_of = $2)`,
      [version, asOf],
    );
  });
  await db.exec(
    "vacuum (analyze) churn_prediction_logs, churn_predictions_latest, churn_scoring_runs, " +
      "event_log, cycles, cycle_stage_plans, cycle_shards, churn_models",
  );
}
