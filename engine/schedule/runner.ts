/**
 * Runs cycles: records the cycle, runs its stages in order under a lease
 * (the heartbeat), records each stage's timing and counts, and keeps track of
 * cycles in flight so a shutdown can wait for them. A stage over the
 * customers runs shard by shard, and engines that do not hold the cycle help
 * with its shards. A cycle left behind by a dead engine is taken over and
 * resumed from its unfinished stage and shards. Each cycle is a span `cycle`
 * with a child span per stage, and their durations go to the cycle metrics.
 */
import type { Clock } from "../clock.ts";
import type { Db, Loadable } from "../db/mod.ts";
import type { Logger } from "../log.ts";
import { createEngineMetrics, type EngineMetrics, recordSpanError, traced } from "../ops/mod.ts";
import {
  type Cycle,
  type CycleStage,
  type CycleTrigger,
  finishCycle,
  recordCycleProgress,
  startCycle,
  takeOverExpiredCycle,
} from "./cycles.ts";
import {
  getStagePlan,
  planStage,
  runNextShard,
  type Shard,
  type ShardOutcome,
  stageProgress,
  stageTotals,
  stageWithPendingShards,
} from "./shards.ts";

/** What a stage gets to work with. */
export interface StageContext {
  db: Db;
  cycleId: number;
  asOf: Date;
  log: Logger;
  /** The engine's clock, for when a stage's changes happen. */
  now(): Date;
  /** Reports progress of long work (done of total). */
  progress(done: number, total: number): void;
}

/** A stage run whole by the engine holding the cycle; returns counts to record. */
export interface WholeStage {
  name: string;
  sharded?: false;
  run(ctx: StageContext): Promise<Record<string, number>>;
}

/** The work on one shard, in the transaction that claimed it. */
export type ShardWork = (tx: Loadable, shard: Shard) => Promise<ShardOutcome>;

/** A stage over the customers, cut into shards that any engine can claim. */
export interface ShardedStage {
  name: string;
  sharded: true;
  /**
   * By the holder, once per cycle: what every shard uses (stored, so every
   * engine and a resume do the same work) and the shards.
   */
  plan(ctx: StageContext): Promise<{ params: unknown; shards: Array<Omit<Shard, "shard">> }>;
  /** By each engine taking part: readies the work on a shard from the plan's params. */
  prepare(params: unknown, ctx: Omit<StageContext, "progress">): Promise<ShardWork>;
  /** By the holder after the last shard: the stage's counts from the shards' totals. */
  finish(
    totals: { counts: Record<string, number>; failures: Record<string, number>; shards: number },
    ctx: StageContext & { params: unknown },
  ): Promise<Record<string, number>>;
}

/** One stage of a cycle. */
export type CycleStageDefinition = WholeStage | ShardedStage;

/** Dependencies of a CycleRunner. */
export interface CycleRunnerOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  stages: readonly CycleStageDefinition[];
  leaseSeconds: number;
  heartbeatMs?: number;
  /** Shards this engine works on at once (SCORING_CONCURRENCY); 1 by default. */
  shardWorkers?: number;
  /** This engine process, as cycles and shards record it; unique by default. */
  engineId?: string;
  /** Where cycle and stage durations go; a new set when not given. */
  metrics?: EngineMetrics;
  /** Told the progress of each stage of this engine's cycles (customers done of total). */
  onProgress?: (stage: string, done: number, total: number) => void;
}

/** A started cycle and the promise of its end. */
export interface StartedCycle {
  cycle: Cycle;
  /** True when this was a cycle left behind by a dead engine, now resumed. */
  resumed: boolean;
  finished: Promise<Cycle>;
}

/** Another engine took the cycle over: this one stops working on it. */
class LeaseLost extends Error {}

/** Starts and runs cycles; one per process at a time, one across processes via the database. */
export class CycleRunner {
  readonly #options: CycleRunnerOptions;
  readonly #inFlight = new Set<Promise<Cycle>>();
  readonly #metrics: EngineMetrics;
  readonly #engineId: string;
  // Help with other engines' cycles in progress, so a shutdown can wait for it.
  #helping: Promise<Promise<Cycle> | null> | null = null;
  #draining = false;

  constructor(options: CycleRunnerOptions) {
    this.#options = options;
    this.#metrics = options.metrics ?? createEngineMetrics();
    this.#engineId = options.engineId ??
      `${Deno.hostname()}:${Deno.pid}:${crypto.randomUUID().slice(0, 8)}`;
  }

  /**
   * Starts a cycle and returns at once; resumes instead a cycle whose engine
   * died. Throws CYCLE_ALREADY_RUNNING if a live one runs.
   */
  async start(trigger: CycleTrigger, options: { scheduleSlot?: Date } = {}): Promise<StartedCycle> {
    const { db, clock, leaseSeconds } = this.#options;
    const { cycle, resumed } = await startCycle(db, {
      trigger,
      now: clock.now(),
      leaseSeconds,
      holder: this.#engineId,
      ...(options.scheduleSlot ? { scheduleSlot: options.scheduleSlot } : {}),
    });
    return { cycle, resumed, finished: this.#track(cycle, resumed) };
  }

  /** Starts a cycle (or resumes a dead engine's) and waits for its end. */
  async run(trigger: CycleTrigger, options: { scheduleSlot?: Date } = {}): Promise<Cycle> {
    return await (await this.start(trigger, options)).finished;
  }

  /**
   * What an engine does between its own cycles (called every heartbeat by
   * `helpPeriodically`): resumes a cycle whose engine died, or else works on
   * the pending shards of the cycle another engine holds. Returns the resumed
   * cycle's end, if it resumed one.
   */
  help(): Promise<Promise<Cycle> | null> {
    if (this.#draining || this.#helping || this.#inFlight.size > 0) return Promise.resolve(null);
    const helping = this.#help();
    this.#helping = helping;
    return helping.finally(() => this.#helping = null);
  }

  async #help(): Promise<Promise<Cycle> | null> {
    const { db, clock, leaseSeconds } = this.#options;
    const taken = await takeOverExpiredCycle(db, {
      now: clock.now(),
      leaseSeconds,
      holder: this.#engineId,
    });
    if (taken) return this.#track(taken, true);
    const pending = await stageWithPendingShards(db);
    const definition = this.#options.stages.find((s) => s.name === pending?.stage);
    if (!pending || !definition?.sharded) return null;
    const plan = await getStagePlan(db, pending);
    if (!plan) return null;
    const [cycle] = await db.query<{ as_of: Date }>("select as_of from cycles where id = $1", [
      pending.cycleId,
    ]);
    if (!cycle) return null;
    const log = this.#options.log.child({ cycleId: pending.cycleId, stage: pending.stage });
    const work = await definition.prepare(plan.params, {
      db,
      cycleId: pending.cycleId,
      asOf: cycle.as_of,
      log,
      now: () => clock.now(),
    });
    // A helper stops claiming shards once the engine stops: the shard it works on finishes
    // and is recorded, the rest stay pending for the cycle's holder and other helpers.
    const done = await this.#workShards(pending, work, () => this.#draining, () => {});
    if (done > 0) log.info("helped with another engine's cycle", { shards: done });
    return null;
  }

  /** Calls `help` every heartbeat until `signal` aborts. */
  helpPeriodically(signal: AbortSignal): void {
    const timer = setInterval(() => {
      this.help().catch((error) => this.#options.log.warn("helping with cycles failed", { error }));
    }, this.#options.heartbeatMs ?? 5_000);
    signal.addEventListener("abort", () => clearInterval(timer), { once: true });
  }

  /**
   * Waits for every cycle in flight and for help with another engine's
   * shards (for a graceful shutdown); helps no more afterwards, so no shard
   * lease is left behind to run out.
   */
  async drain(): Promise<void> {
    this.#draining = true;
    // Help in progress first: it may have just taken over a cycle, which then is in flight.
    await this.#helping?.catch(() => {});
    await Promise.allSettled([...this.#inFlight]);
  }

  #track(cycle: Cycle, resumed: boolean): Promise<Cycle> {
    const finished = this.#run(cycle, resumed);
    this.#inFlight.add(finished);
    finished.finally(() => this.#inFlight.delete(finished)).catch(() => {});
    return finished;
  }

  #run(cycle: Cycle, resumed: boolean): Promise<Cycle> {
    const attributes = {
      "cs.cycle_id": cycle.id,
      "cs.cycle_trigger": cycle.trigger,
      "cs.cycle_resumed": resumed,
    };
    // A root span: the cycle outlives the request or tick that started it (linked to it).
    return traced("cycle", attributes, async (span) => {
      const done = await this.#runStages(cycle, resumed);
      span.setAttribute("cs.cycle_status", done.status);
      if (done.status !== "succeeded") recordSpanError(span, done.error ?? done.status);
      this.#metrics.cycleDuration.observe(
        { trigger: done.trigger, status: done.status },
        (Date.parse(done.finishedAt ?? done.heartbeatAt) - Date.parse(done.startedAt)) / 1000,
      );
      return done;
    }, { root: true });
  }

  async #runStages(cycle: Cycle, resumed: boolean): Promise<Cycle> {
    const { db, clock, stages: definitions, heartbeatMs = 5_000 } = this.#options;
    const holder = this.#engineId;
    const log = this.#options.log.child({ cycleId: cycle.id });
    const asOf = new Date(cycle.asOf);
    // A resumed cycle keeps the stages it finished; its unfinished one goes on.
    const stages: CycleStage[] = cycle.stages.filter((s) => s.finishedAt !== null);
    let current: CycleStage | undefined;
    let lost = false;
    const heartbeat = setInterval(() => {
      recordCycleProgress(db, cycle.id, { stages, now: clock.now(), holder })
        .then((held) => {
          if (!held) lost = true;
        })
        .catch((error) => log.warn("cycle heartbeat failed", { error }));
    }, heartbeatMs);
    log.info(resumed ? "cycle resumed" : "cycle started", { trigger: cycle.trigger });
    try {
      for (const definition of definitions) {
        if (stages.some((s) => s.name === definition.name)) continue;
        const earlier = cycle.stages.find((s) => s.name === definition.name);
        const started = earlier ? new Date(earlier.startedAt) : clock.now();
        current = {
          name: definition.name,
          startedAt: started.toISOString(),
          finishedAt: null,
          durationMs: null,
          counts: {},
        };
        stages.push(current);
        if (!await recordCycleProgress(db, cycle.id, { stages, now: clock.now(), holder })) {
          throw new LeaseLost();
        }
        const stage = current;
        const ctx: StageContext = {
          db,
          cycleId: cycle.id,
          asOf,
          log: log.child({ stage: definition.name }),
          now: () => clock.now(),
          progress: (done, total) => {
            // A shard's progress report can resolve after the stage ended: its counts are final.
            if (stage.finishedAt !== null) return;
            stage.counts = { ...stage.counts, done, total };
            this.#options.onProgress?.(stage.name, done, total);
          },
        };
        const counts = await traced(
          `cycle.stage ${definition.name}`,
          { "cs.cycle_id": cycle.id, "cs.stage": definition.name },
          async (span) => {
            const counts = definition.sharded
              ? await this.#runSharded(definition, ctx, () => lost)
              : await definition.run(ctx);
            for (const [name, value] of Object.entries(counts)) {
              span.setAttribute(`cs.count.${name}`, value);
            }
            return counts;
          },
        );
        if (lost) throw new LeaseLost();
        const ended = clock.now();
        stage.counts = counts;
        stage.finishedAt = ended.toISOString();
        stage.durationMs = ended.getTime() - started.getTime();
        this.#metrics.cycleStageDuration.observe(
          { stage: stage.name, status: "succeeded" },
          stage.durationMs / 1000,
        );
        log.info("cycle stage finished", {
          stage: stage.name,
          durationMs: stage.durationMs,
          ...counts,
        });
      }
      clearInterval(heartbeat);
      const done = await finishCycle(db, cycle.id, {
        status: "succeeded",
        stages,
        error: null,
        now: clock.now(),
        holder,
      });
      if (!done) throw new LeaseLost();
      log.info("cycle succeeded");
      return done;
    } catch (error) {
      clearInterval(heartbeat);
      if (error instanceof LeaseLost) {
        // Its new holder finishes it; this engine only reports where it stands.
        log.warn("another engine took this cycle over; stopped working on it");
        return { ...cycle, stages };
      }
      const message = error instanceof Error ? error.message : String(error);
      if (current) {
        current.error = message;
        this.#metrics.cycleStageDuration.observe(
          { stage: current.name, status: "failed" },
          (clock.now().getTime() - Date.parse(current.startedAt)) / 1000,
        );
      }
      log.error("cycle failed", { stage: current?.name, error });
      return await finishCycle(db, cycle.id, {
        status: "failed",
        stages,
        error: `Stage ${current?.name ?? "?"} failed: ${message}`,
        now: clock.now(),
        holder,
      }) ?? { ...cycle, stages };
    }
  }

  /**
   * A sharded stage, as the holder: plans it (unless a resumed cycle did),
   * works on shards with this engine's workers, waits for shards other
   * engines hold (taking back any a dead engine left), then adds them up.
   */
  async #runSharded(
    definition: ShardedStage,
    ctx: StageContext,
    lost: () => boolean,
  ): Promise<Record<string, number>> {
    const { db, clock } = this.#options;
    const key = { cycleId: ctx.cycleId, stage: definition.name };
    const plan = await getStagePlan(db, key) ??
      await planStage(db, key, { ...await definition.plan(ctx), now: clock.now() });
    const work = await definition.prepare(plan.params, ctx);
    const report = async () => {
      const progress = await stageProgress(db, key);
      ctx.progress(progress.customersDone, progress.customers);
      return progress;
    };
    await report(); // Where the stage starts (past 0 for a resumed one).
    for (;;) {
      await this.#workShards(key, work, lost, () => void report().catch(() => {}));
      if (lost()) throw new LeaseLost();
      const progress = await report();
      if (progress.done === progress.shards) break;
      // The rest are held by other engines: wait, and claim any a dead one releases.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const totals = await stageTotals(db, key);
    return await definition.finish(
      { counts: totals.counts, failures: totals.failures, shards: plan.shards },
      { ...ctx, params: plan.params },
    );
  }

  /** Runs this engine's shard workers until no shard can be claimed; returns shards done. */
  async #workShards(
    key: { cycleId: number; stage: string },
    work: ShardWork,
    lost: () => boolean,
    onShard: () => void,
  ): Promise<number> {
    const { db, clock, shardWorkers = 1 } = this.#options;
    const worker = { id: this.#engineId, now: () => clock.now() };
    let done = 0;
    const loop = async () => {
      while (!lost() && await runNextShard(db, key, worker, work)) {
        done++;
        onShard();
      }
    };
    await Promise.all(Array.from({ length: shardWorkers }, loop));
    return done;
  }
}
