/**
 * The `interventions` component: the evaluation cycles that will plan
 * interventions (are they running on schedule?) and the outbox that will
 * deliver them (built by issue 5; until then the check says so).
 */
import type { Config } from "../config.ts";
import { nextCronTick } from "../cron_expression.ts";
import type { Db } from "../db/mod.ts";
import { type Cycle, listCycles } from "../schedule/mod.ts";
import { describeAge, type HealthCheck } from "./health_checks.ts";

/** Deno.cron starts a tick's cycle within seconds; after this long a missing one is overdue. */
export const CYCLE_START_GRACE_MS = 2 * 60_000;

/**
 * Whether cycles run on CYCLE_SCHEDULE: `on`; `disabled` by
 * CUSTOMER_SUCCESS_ENABLED=false; `unavailable` without Deno.cron
 * (the engine was started without --unstable-cron).
 */
export type CycleScheduling = "on" | "disabled" | "unavailable";

/** Options of cyclesCheck. */
export interface CyclesCheckOptions {
  config: Pick<Config, "CYCLE_SCHEDULE" | "CYCLE_LEASE_SECONDS">;
  scheduling: CycleScheduling;
  /** When this engine started: with no cycle yet, the first is due at the first tick after it. */
  startedAt: Date;
}

/** The last cycle, its age, and whether the schedule's next one is overdue. */
export function cyclesCheck(db: Db, options: CyclesCheckOptions): HealthCheck {
  const { config, scheduling, startedAt } = options;
  return {
    name: "cycles",
    component: "interventions",
    async run({ now }) {
      const { cycles: [last] } = await listCycles(db, { limit: 1 });
      const problems: string[] = [];
      const facts: string[] = [];
      if (last) facts.push(describeCycle(last, now));
      else facts.push("No cycle has run yet");
      if (last?.status === "running") {
        const silentMs = now.getTime() - Date.parse(last.heartbeatAt);
        if (silentMs > config.CYCLE_LEASE_SECONDS * 1000) {
          problems.push(
            `Cycle ${last.id} has sent no heartbeat for ${describeAge(silentMs)} ` +
              `(more than CYCLE_LEASE_SECONDS=${config.CYCLE_LEASE_SECONDS}): its engine may have ` +
              "stopped; the next cycle to start marks it abandoned",
          );
        }
      } else if (last?.status === "failed" || last?.status === "abandoned") {
        problems.push(
          `Cycle ${last.id} ${last.status === "failed" ? "failed" : "was abandoned"}: ` +
            `${
              last.error ?? "no error recorded"
            }. Fix the cause and run one with POST /api/v1/cycles`,
        );
      }
      let nextDueAt: Date | null = null;
      let overdue = false;
      if (scheduling === "on") {
        const reference = last ? new Date(last.startedAt) : startedAt;
        nextDueAt = nextCronTick(config.CYCLE_SCHEDULE, reference);
        overdue = last?.status !== "running" && nextDueAt !== null &&
          now.getTime() > nextDueAt.getTime() + CYCLE_START_GRACE_MS;
        if (overdue) {
          problems.push(
            `The cycle due at ${
              nextDueAt!.toISOString()
            } (CYCLE_SCHEDULE "${config.CYCLE_SCHEDULE}") ` +
              `has not started, ${describeAge(now.getTime() - nextDueAt!.getTime())} later: ` +
              `look for "scheduled cycle" lines in the engine's log`,
          );
        } else if (nextDueAt) facts.push(`the next is due at ${nextDueAt.toISOString()}`);
      } else if (scheduling === "disabled") {
        facts.push("scheduled cycles are off (CUSTOMER_SUCCESS_ENABLED=false)");
      } else {
        problems.push(
          "Cycles are not scheduled: this engine runs without Deno.cron; start it with " +
            "--unstable-cron (deno task start does)",
        );
      }
      return {
        status: problems.length > 0 ? "degraded" : "healthy",
        message: problems.length > 0 ? problems.join(". ") : facts.join("; "),
        details: {
          schedule: config.CYCLE_SCHEDULE,
          scheduling,
          nextDueAt: nextDueAt?.toISOString() ?? null,
          overdue,
          lastCycle: last
            ? {
              id: last.id,
              trigger: last.trigger,
              status: last.status,
              startedAt: last.startedAt,
              finishedAt: last.finishedAt,
              ageSeconds: Math.round((now.getTime() - Date.parse(last.startedAt)) / 1000),
              error: last.error,
            }
            : null,
        },
      };
    },
  };
}

function describeCycle(cycle: Cycle, now: Date): string {
  const age = describeAge(now.getTime() - Date.parse(cycle.startedAt));
  if (cycle.status === "running") return `Cycle ${cycle.id} is running, started ${age} ago`;
  return `Last cycle ${cycle.id} ${cycle.status} (${cycle.trigger}), started ${age} ago`;
}

/**
 * The intervention outbox. Issue 5 builds interventions, their outbox and
 * dead letters and replaces this check; until then it says nothing is sent.
 */
export function outboxCheck(config: Pick<Config, "INTERVENTION_SYSTEM_ENABLED">): HealthCheck {
  return {
    name: "outbox",
    component: "interventions",
    run() {
      const details = {
        enabled: config.INTERVENTION_SYSTEM_ENABLED,
        built: false,
        outboxDepth: null,
        deadLetters: null,
      };
      return Promise.resolve(
        config.INTERVENTION_SYSTEM_ENABLED
          ? {
            status: "degraded",
            message: "No interventions are planned or sent yet: the intervention system, its " +
              "outbox and dead letters arrive with issue 5",
            details,
          }
          : {
            status: "healthy",
            message: "The intervention system is turned off (INTERVENTION_SYSTEM_ENABLED=false)",
            details,
          },
      );
    },
  };
}
