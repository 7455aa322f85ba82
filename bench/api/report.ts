/**
 * The API load benchmark's summary: a Markdown table on standard output
 * (ready to paste into bench/README.md) and the same figures as JSON in
 * bench/.results/api_load.json. Targets are reported as met or not met,
 * never enforced: throughput depends on the machine and on what else runs.
 */
import { markdownTable, saveFigures } from "../results.ts";
import type { CpuShare } from "./cpu.ts";
import type { LoadResult } from "./wrk.ts";

/** The targets. */
export const TARGETS = {
  healthPerSecond: 10_000,
  healthP99Ms: 20,
  eventsPerSecond: 50_000,
} as const;

/** One endpoint measured on the engine and on the bare Hono baseline. */
export interface Comparison {
  connections: number;
  helloWorld: LoadResult;
  engine: LoadResult;
}

/** Everything one run measured. */
export interface ApiLoadResult {
  date: string;
  server: string;
  postgres: string;
  cores: number;
  /** /proc/loadavg when the run started: how busy the machine already was. */
  loadAverage: string;
  wrk: { version: string; threads: number };
  customers: number;
  populationReused: boolean;
  engine: { poolSize: number; logLevel: string; authenticated: boolean };
  health: Comparison;
  events: Comparison & {
    batchSize: number;
    /** Events the database holds from this run (warm-up included). */
    stored: number;
    /** Events in the batches answered 200, warm-up included; stored may exceed it by batches in flight at the end. */
    answered: number;
    /** At most this many more may be stored: batches sent but not yet answered when wrk stopped. */
    inFlight: number;
  };
  engineLog: { lines: number; errors: number };
}

/** Ratios and target verdicts. */
export interface Verdict {
  healthRatio: number;
  eventsPerSecond: number;
  eventsRatio: number;
  healthRateMet: boolean;
  healthP99Met: boolean;
  eventsRateMet: boolean;
  /** Every answered batch is stored whole, and nothing else. */
  eventsStored: boolean;
  /** No request failed (non-2xx, socket error, timeout). */
  noErrors: boolean;
}

/** Derives ratios and verdicts from `result`. */
export function verdictOf(result: ApiLoadResult): Verdict {
  const { health, events } = result;
  const eventsPerSecond = events.engine.requestsPerSecond * events.batchSize;
  const failed = (r: LoadResult) => r.errors.status + r.errors.socket + r.errors.timeout;
  return {
    healthRatio: health.engine.requestsPerSecond / health.helloWorld.requestsPerSecond,
    eventsPerSecond,
    eventsRatio: events.engine.requestsPerSecond / events.helloWorld.requestsPerSecond,
    healthRateMet: health.engine.requestsPerSecond >= TARGETS.healthPerSecond,
    healthP99Met: health.engine.latencyMs.p99 < TARGETS.healthP99Ms,
    eventsRateMet: eventsPerSecond >= TARGETS.eventsPerSecond,
    eventsStored: events.stored >= events.answered &&
      events.stored <= events.answered + events.inFlight,
    noErrors: [health.helloWorld, health.engine, events.helloWorld, events.engine]
      .every((r) => failed(r) === 0),
  };
}

/** The summary as lines of Markdown. */
export function formatReport(result: ApiLoadResult, verdict: Verdict): string[] {
  const { health, events } = result;
  const batch = int(events.batchSize);
  const rows: Array<[string, string]> = [
    [
      `GET /api/v1/customers/{id}/health, bare Hono hello-world, ${health.connections} connections`,
      requests(health.helloWorld),
    ],
    [
      `GET /api/v1/customers/{id}/health, engine, ${health.connections} connections`,
      requests(health.engine),
    ],
    ["**ratio engine ÷ hello-world** (requests/s)", `**${fixed(verdict.healthRatio, 3)}**`],
    [
      `POST /api/v1/events, bare Hono parsing the same batches, ${events.connections} connections`,
      eventRate(events.helloWorld, events.batchSize),
    ],
    [
      `POST /api/v1/events, engine, batches of ${batch}, ${events.connections} connections`,
      eventRate(events.engine, events.batchSize),
    ],
    ["**ratio engine ÷ bare Hono** (events/s)", `**${fixed(verdict.eventsRatio, 3)}**`],
    [
      "events stored (warm-up included) vs answered batches",
      `${int(events.stored)} stored, ${int(events.answered)} answered: ${
        verdict.eventsStored ? "every answered batch stored whole" : "MISMATCH"
      }`,
    ],
    [
      "engine log lines / at level error",
      `${int(result.engineLog.lines)} / ${int(result.engineLog.errors)}`,
    ],
    [`target: health ≥ ${int(TARGETS.healthPerSecond)} requests/s`, met(verdict.healthRateMet)],
    [`target: health p99 < ${TARGETS.healthP99Ms} ms`, met(verdict.healthP99Met)],
    [
      `target: ≥ ${int(TARGETS.eventsPerSecond)} events/s in batches of ${batch}`,
      met(verdict.eventsRateMet),
    ],
    ["CPU while the engine served health reads (cores)", cpu(health.engine.cpu)],
    ["CPU while the hello-world served them (cores)", cpu(health.helloWorld.cpu)],
    ["CPU while the engine ingested events (cores)", cpu(events.engine.cpu)],
  ];
  return [
    `API load benchmark, ${result.date}: engine and bare Hono on loopback, PostgreSQL ` +
    `${result.postgres} at ${result.server}, ${result.cores} cores, wrk ${result.wrk.version} ` +
    `(${result.wrk.threads} thread${result.wrk.threads === 1 ? "" : "s"})`,
    "",
    `Engine: DATABASE_POOL_SIZE ${result.engine.poolSize}, LOG_LEVEL ${result.engine.logLevel}, ` +
    `${result.engine.authenticated ? "bearer token on every request" : "no authentication"}. ` +
    `Population: ${int(result.customers)} customers` +
    `${
      result.populationReused ? " (reused)" : ""
    }. Load average at the start: ${result.loadAverage}`,
    "",
    ...markdownTable(rows),
  ];
}

/** Writes `result` and `verdict` to bench/.results/api_load.json; returns the path. */
export async function saveResult(result: ApiLoadResult, verdict: Verdict): Promise<string> {
  return await saveFigures("api_load", { ...result, verdict });
}

function requests(r: LoadResult): string {
  return `${int(r.requestsPerSecond)} req/s · ${latency(r)}${errors(r)}`;
}

function eventRate(r: LoadResult, batchSize: number): string {
  return `${int(r.requestsPerSecond * batchSize)} events/s (${
    fixed(r.requestsPerSecond, 1)
  } batches/s) · ${latency(r)}${errors(r)}`;
}

function latency(r: LoadResult): string {
  return `p50 ${fixed(r.latencyMs.p50, 2)} ms · p99 ${fixed(r.latencyMs.p99, 2)} ms`;
}

function errors(r: LoadResult): string {
  const { status, socket, timeout } = r.errors;
  if (status + socket + timeout === 0) return "";
  return ` · **errors: ${status} bad status, ${socket} socket, ${timeout} timeouts**`;
}

function cpu(share: CpuShare | null): string {
  if (!share) return "not measured (no /proc)";
  return Object.entries(share.cores).map(([name, cores]) => `${name} ${fixed(cores, 2)}`)
    .join(" · ");
}

function met(ok: boolean): string {
  return ok ? "met" : "not met";
}

function int(n: number): string {
  return Math.round(n).toLocaleString("en");
}

function fixed(n: number, digits: number): string {
  return n.toLocaleString("en", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
