/**
 * The `interventions` component: the evaluation cycles that plan
 * interventions (are they running on schedule?) and the outbox they are
 * delivered from (is delivery keeping up, are there dead letters?).
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

/** A due send waiting longer than this means delivery is behind (or down). */
export const OUTBOX_LAG_LIMIT_MS = 15 * 60_000;

/**
 * The intervention outbox: how many sends are due, how long the oldest has
 * waited, and the dead letters. Degraded while the oldest due send waits
 * longer than OUTBOX_LAG_LIMIT_MS, or dead letters wait for an operator.
 */
export function outboxCheck(
  db: Db,
  config: Pick<Config, "INTERVENTION_SYSTEM_ENABLED">,
): HealthCheck {
  return {
    name: "outbox",
    component: "interventions",
    async run({ now }) {
      const [row] = await db.query<
        { due: number; oldest: Date | null; dead: number; retrying: number }
      >(
        `select count(*) filter (where state = 'pending' and due_at <= $1)::int as due,
           min(due_at) filter (where state = 'pending' and due_at <= $1) as oldest,
           count(*) filter (where state = 'dead')::int as dead,
           count(*) filter (where state = 'pending' and attempts > 0)::int as retrying
         from intervention_outbox`,
        [now],
      );
      const waitedMs = row?.oldest ? now.getTime() - row.oldest.getTime() : 0;
      const details = {
        enabled: config.INTERVENTION_SYSTEM_ENABLED,
        due: row?.due ?? 0,
        oldestDueAgeSeconds: Math.round(waitedMs / 1000),
        retrying: row?.retrying ?? 0,
        deadLetters: row?.dead ?? 0,
      };
      if (!config.INTERVENTION_SYSTEM_ENABLED) {
        return {
          status: "healthy",
          message: "The intervention system is turned off (INTERVENTION_SYSTEM_ENABLED=false)" +
            (details.due > 0 ? `; ${details.due} sends wait in the outbox` : ""),
          details,
        };
      }
      const problems: string[] = [];
      if (waitedMs > OUTBOX_LAG_LIMIT_MS) {
        problems.push(
          `the oldest of ${details.due} due sends has waited ${describeAge(waitedMs)}: delivery ` +
            "is behind or a channel is down",
        );
      }
      if (details.deadLetters > 0) {
        problems.push(
          `${details.deadLetters} sends are dead-lettered: see GET /api/v1/interventions?status=dead ` +
            "and retry with POST /api/v1/interventions/replay",
        );
      }
      if (problems.length > 0) {
        return { status: "degraded", message: capitalize(problems.join("; ")), details };
      }
      return {
        status: "healthy",
        message: details.due === 0
          ? "Nothing is waiting to be sent"
          : `${details.due} sends are due, the oldest for ${describeAge(waitedMs)}`,
        details,
      };
    },
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
