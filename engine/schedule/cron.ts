/** Registers the evaluation cycle with Deno.cron. */
import { isEngineError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { Cycle } from "./cycles.ts";
import type { CycleRunner } from "./runner.ts";

/**
 * Runs a cycle on every tick of `schedule` (five-field cron, UTC). When
 * several engines share a database, each tick runs once. Returns false when
 * Deno.cron is unavailable (the engine was started without --unstable-cron).
 */
export function scheduleCycles(
  runner: CycleRunner,
  options: { schedule: string; log: Logger; signal: AbortSignal },
): boolean {
  if (typeof Deno.cron !== "function") {
    options.log.warn("scheduled cycles are off: run the engine with --unstable-cron");
    return false;
  }
  Deno.cron("evaluation-cycle", options.schedule, { signal: options.signal }, async () => {
    await runScheduledTick(runner, { now: new Date(), log: options.log });
  });
  return true;
}

/**
 * One cron tick: runs the tick's cycle unless a cycle runs already or another
 * engine took this tick (both are logged and skipped, not errors). Returns the
 * cycle it ran, or null.
 */
export async function runScheduledTick(
  runner: CycleRunner,
  options: { now: Date; log: Logger },
): Promise<Cycle | null> {
  const slot = new Date(options.now);
  slot.setUTCSeconds(0, 0);
  try {
    return await runner.run("schedule", { scheduleSlot: slot });
  } catch (error) {
    if (isEngineError(error, "CYCLE_ALREADY_RUNNING")) {
      options.log.info("scheduled cycle skipped", { reason: error.message });
    } else options.log.error("scheduled cycle could not start", { error });
    return null;
  }
}
