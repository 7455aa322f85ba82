/**
 * Runs cycles: records the cycle, runs its stages in order with a heartbeat,
 * records each stage's timing and counts, and keeps track of cycles in flight
 * so a shutdown can wait for them. Each cycle is a span `cycle` with a child
 * span per stage, and their durations go to the cycle metrics.
 */
import type { Clock } from "../clock.ts";
import type { Db } from "../db/mod.ts";
import type { Logger } from "../log.ts";
import { createEngineMetrics, type EngineMetrics, recordSpanError, traced } from "../ops/mod.ts";
import {
  type Cycle,
  type CycleStage,
  type CycleTrigger,
  finishCycle,
  recordCycleProgress,
  startCycle,
} from "./cycles.ts";

/** What a stage gets to work with. */
export interface StageContext {
  db: Db;
  cycleId: number;
  asOf: Date;
  log: Logger;
  /** Reports progress of long work (done of total). */
  progress(done: number, total: number): void;
}

/** One stage of a cycle: a name and the work, which returns counts to record. */
export interface CycleStageDefinition {
  name: string;
  run(ctx: StageContext): Promise<Record<string, number>>;
}

/** Dependencies of a CycleRunner. */
export interface CycleRunnerOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  stages: readonly CycleStageDefinition[];
  leaseSeconds: number;
  heartbeatMs?: number;
  /** Where cycle and stage durations go; a new set when not given. */
  metrics?: EngineMetrics;
}

/** A started cycle and the promise of its end. */
export interface StartedCycle {
  cycle: Cycle;
  finished: Promise<Cycle>;
}

/** Starts and runs cycles; one per process at a time, one across processes via the database. */
export class CycleRunner {
  readonly #options: CycleRunnerOptions;
  readonly #inFlight = new Set<Promise<Cycle>>();
  readonly #metrics: EngineMetrics;

  constructor(options: CycleRunnerOptions) {
    this.#options = options;
    this.#metrics = options.metrics ?? createEngineMetrics();
  }

  /** Starts a cycle and returns at once; throws CYCLE_ALREADY_RUNNING if one runs. */
  async start(trigger: CycleTrigger, options: { scheduleSlot?: Date } = {}): Promise<StartedCycle> {
    const { db, clock, leaseSeconds } = this.#options;
    const cycle = await startCycle(db, {
      trigger,
      now: clock.now(),
      leaseSeconds,
      ...(options.scheduleSlot ? { scheduleSlot: options.scheduleSlot } : {}),
    });
    const finished = this.#run(cycle);
    this.#inFlight.add(finished);
    finished.finally(() => this.#inFlight.delete(finished)).catch(() => {});
    return { cycle, finished };
  }

  /** Starts a cycle and waits for its end. */
  async run(trigger: CycleTrigger, options: { scheduleSlot?: Date } = {}): Promise<Cycle> {
    return await (await this.start(trigger, options)).finished;
  }

  /** Waits for every cycle in flight (for a graceful shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
  }

  #run(cycle: Cycle): Promise<Cycle> {
    const attributes = { "cs.cycle_id": cycle.id, "cs.cycle_trigger": cycle.trigger };
    // A root span: the cycle outlives the request or tick that started it (linked to it).
    return traced("cycle", attributes, async (span) => {
      const done = await this.#runStages(cycle);
      span.setAttribute("cs.cycle_status", done.status);
      if (done.status !== "succeeded") recordSpanError(span, done.error ?? done.status);
      this.#metrics.cycleDuration.observe(
        { trigger: done.trigger, status: done.status },
        (Date.parse(done.finishedAt ?? done.heartbeatAt) - Date.parse(done.startedAt)) / 1000,
      );
      return done;
    }, { root: true });
  }

  async #runStages(cycle: Cycle): Promise<Cycle> {
    const { db, clock, stages: definitions, heartbeatMs = 5_000 } = this.#options;
    const log = this.#options.log.child({ cycleId: cycle.id });
    const asOf = new Date(cycle.asOf);
    const stages: CycleStage[] = [];
    let current: CycleStage | undefined;
    const heartbeat = setInterval(() => {
      recordCycleProgress(db, cycle.id, stages, clock.now()).catch((error) =>
        log.warn("cycle heartbeat failed", { error })
      );
    }, heartbeatMs);
    log.info("cycle started", { trigger: cycle.trigger });
    try {
      for (const definition of definitions) {
        const started = clock.now();
        current = {
          name: definition.name,
          startedAt: started.toISOString(),
          finishedAt: null,
          durationMs: null,
          counts: {},
        };
        stages.push(current);
        await recordCycleProgress(db, cycle.id, stages, started);
        const stage = current;
        const counts = await traced(
          `cycle.stage ${definition.name}`,
          { "cs.cycle_id": cycle.id, "cs.stage": definition.name },
          async (span) => {
            const counts = await definition.run({
              db,
              cycleId: cycle.id,
              asOf,
              log: log.child({ stage: definition.name }),
              progress: (done, total) => {
                stage.counts = { ...stage.counts, done, total };
              },
            });
            for (const [name, value] of Object.entries(counts)) {
              span.setAttribute(`cs.count.${name}`, value);
            }
            return counts;
          },
        );
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
      });
      log.info("cycle succeeded");
      return done;
    } catch (error) {
      clearInterval(heartbeat);
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
      });
    }
  }
}
