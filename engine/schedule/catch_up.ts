/**
 * The catch-up policy for scheduled cycles missed while no engine ran
 * (CYCLE_CATCH_UP): `run` runs one cycle at start for the latest missed tick
 * (one, however many were missed: each cycle evaluates the present), `skip`
 * only logs them. A database where no cycle ever ran has missed nothing. A
 * cycle a dead engine left unfinished is resumed instead (runner.ts).
 */
import { cronTicksBetween } from "../cron_expression.ts";
import type { Queryable } from "../db/mod.ts";
import { isEngineError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { Cycle } from "./cycles.ts";
import type { CycleRunner } from "./runner.ts";

/** What the catch-up did at start. */
export interface CatchUp {
  /** Scheduled ticks since the last cycle started (counted up to 1,000). */
  missed: number;
  /** The cycle it started or resumed, if it ran one. */
  cycle: Cycle | null;
  /** Resolves when that cycle has finished. */
  finished: Promise<Cycle> | null;
}

const COUNT_LIMIT = 1_000;

/** Applies the catch-up policy at engine start. */
export async function catchUpMissedCycles(
  runner: CycleRunner,
  db: Queryable,
  options: { schedule: string; policy: "run" | "skip"; now: Date; log: Logger },
): Promise<CatchUp> {
  const [last] = await db.query<{ started_at: Date | null }>(
    "select max(started_at) as started_at from cycles",
  );
  const none: CatchUp = { missed: 0, cycle: null, finished: null };
  if (!last?.started_at) return none;
  const ticks = cronTicksBetween(options.schedule, last.started_at, options.now, COUNT_LIMIT);
  const latest = ticks.at(-1);
  if (!latest) return none;
  const missed = { missed: ticks.length, since: last.started_at.toISOString() };
  if (options.policy === "skip") {
    options.log.info("scheduled cycles were missed while no engine ran; skipped", {
      ...missed,
      policy: "CYCLE_CATCH_UP=skip",
    });
    return { ...none, missed: ticks.length };
  }
  try {
    const started = await runner.start("startup", { scheduleSlot: latest });
    options.log.info(
      started.resumed
        ? "resumed the cycle a stopped engine left unfinished"
        : "scheduled cycles were missed while no engine ran; running one now",
      { ...missed, cycleId: started.cycle.id, policy: "CYCLE_CATCH_UP=run" },
    );
    return { missed: ticks.length, cycle: started.cycle, finished: started.finished };
  } catch (error) {
    // Another engine started at the same time and caught up already.
    if (!isEngineError(error, "CYCLE_ALREADY_RUNNING")) throw error;
    options.log.info("missed cycles are being caught up by another engine", missed);
    return { ...none, missed: ticks.length };
  }
}
