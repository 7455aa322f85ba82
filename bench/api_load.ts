/**
 * `deno task bench:api`: the HTTP API under load on loopback. Starts the
 * engine as `deno task start` does (its own process) on the benchmark's
 * PostgreSQL population of 100,000 customers, and a bare Hono hello-world
 * the same way as the baseline; drives both with wrk in the same run and
 * prints requests/s, latency and their ratio. bench/README.md explains it.
 *
 *   --duration S            seconds of each measurement (default 15)
 *   --warmup S              seconds of load before each measurement (default 3)
 *   --connections N         connections for the health reads (default 50)
 *   --threads N             wrk threads (default 1)
 *   --events-connections N  connections for event ingestion (default 4)
 *   --batch N               events per POST /api/v1/events (default 1,000)
 *   --database NAME         the benchmark database (default cs_bench)
 *
 * The population is bench/health_scoring.ts's (seeded there, or here when
 * missing). The server is BENCH_DATABASE_URL, else DATABASE_URL, else local
 * PostgreSQL. Needs wrk on PATH (or WRK). Exits 0 whatever the figures; 1 on
 * an error or when ingested events do not match the answered batches.
 */
import { wholeNumber } from "../cli/flags.ts";
import { parseArgs } from "node:util";
import { runCommand, say, warn } from "../cli/output.ts";
import { createToken, revokeToken } from "../engine/access/mod.ts";
import { loadConfig } from "../engine/config.ts";
import type { Db } from "../engine/db/mod.ts";
import { EngineError } from "../engine/errors.ts";
import { scoringSettings } from "../engine/health/mod.ts";
import {
  beginIngestRun,
  countStoredEvents,
  type IngestRun,
  undoIngestRuns,
} from "./api/ingest_run.ts";
import {
  type ApiLoadResult,
  type Comparison,
  formatReport,
  saveResult,
  verdictOf,
} from "./api/report.ts";
import { type ServerProcess, startEngine, startHelloWorld } from "./api/servers.ts";
import { findWrk, type LoadResult, runLoad } from "./api/wrk.ts";
import { benchServerUrl, describeServer, openBenchDatabase } from "./health/database.ts";
import { benchKeyEnv, ensurePopulation } from "./health/population.ts";
import { seedProgress } from "./health/progress.ts";

// bench/health_scoring.ts's default population, so both benchmarks share one seeding.
const POPULATION = { customers: 100_000, days: 30, seed: 42, asOf: new Date("2026-11-01") };
const ACTOR = "bench:api_load";

/** The run's parameters. */
interface LoadArgs {
  duration: number;
  warmup: number;
  connections: number;
  threads: number;
  eventsConnections: number;
  batch: number;
  database: string;
}

await runCommand(async () => {
  const args = parseLoadArgs(Deno.args);
  const config = loadConfig(Deno.env.toObject());
  if (args.batch > config.EVENT_BATCH_LIMIT) {
    throw new EngineError(
      "VALIDATION_FAILED",
      `--batch ${args.batch} is over the engine's EVENT_BATCH_LIMIT (${config.EVENT_BATCH_LIMIT})`,
    );
  }
  const wrk = await findWrk();
  const loadAverage = (await Deno.readTextFile("/proc/loadavg").catch(() => "unknown")).split(
    " ",
  ).slice(0, 3).join(" ");
  const serverUrl = benchServerUrl(config);
  const bench = await openBenchDatabase(serverUrl, { name: args.database, poolSize: 2 });
  const { db } = bench;
  const ids = await Deno.makeTempFile({ prefix: "cs-bench-ids-", suffix: ".txt" });
  const servers: ServerProcess[] = [];
  let tokenId: number | null = null;
  try {
    const population = await ensurePopulation(db, POPULATION, {
      reseed: false,
      scoring: scoringSettings(config),
      retentionDays: config.DATA_RETENTION_DAYS,
      onProgress: seedProgress(),
    });
    await writeCustomerIds(db, ids);
    const token = await createToken(
      db,
      // Admin: the reads need read:metrics, ingestion write:signals.
      { name: ACTOR, role: "admin", expiresAt: new Date(Date.now() + 6 * 3_600_000) },
      { actor: ACTOR, now: new Date() },
    );
    tokenId = token.info.id;
    const helloWorld = await startHelloWorld();
    servers.push(helloWorld);
    const engine = await startEngine({
      DATABASE_URL: bench.url,
      HOST: "127.0.0.1",
      PORT: "0",
      // No evaluation cycle may start in the middle of a measurement.
      CUSTOMER_SUCCESS_ENABLED: "false",
      DEMO_DATA: "false",
      // The run's one token makes every request: lift its rate limit for the run.
      RATE_LIMIT_PER_MINUTE: "1000000000",
      RATE_LIMIT_BURST: "1000000000",
      ...benchKeyEnv(),
    });
    servers.push(engine);
    const load = { wrk: wrk.path, args, ids, token: token.token };
    const health = await measureHealth(load, helloWorld, engine);
    const events = await measureEvents(db, load, helloWorld, engine);
    const result: ApiLoadResult = {
      date: new Date().toISOString(),
      server: describeServer(serverUrl, args.database),
      postgres: await serverVersion(db),
      cores: navigator.hardwareConcurrency,
      loadAverage,
      wrk: { version: wrk.version, threads: args.threads },
      customers: population.customers,
      populationReused: population.reused,
      engine: {
        poolSize: config.DATABASE_POOL_SIZE,
        logLevel: config.LOG_LEVEL,
        authenticated: true,
      },
      health,
      events,
      engineLog: (({ lines, errors }) => ({ lines, errors }))(engine.log()),
    };
    const verdict = verdictOf(result);
    say();
    for (const line of formatReport(result, verdict)) say(line);
    warn(`\nFigures saved to ${await saveResult(result, verdict)}`);
    if (result.engineLog.errors > 0) {
      warn("The engine logged errors; its last log lines:");
      for (const line of engine.log().tail) warn(`  ${line}`);
    }
    if (!verdict.eventsStored) {
      throw new EngineError(
        "INTERNAL",
        `The engine answered ${events.answered} events as stored but the database holds ` +
          `${events.stored}; the events/s figure means nothing`,
      );
    }
  } finally {
    for (const server of servers.reverse()) await server.stop();
    if (tokenId !== null) await revokeToken(db, tokenId, { actor: ACTOR, now: new Date() });
    await Deno.remove(ids).catch(() => {});
    await bench.close();
  }
});

interface LoadSetup {
  wrk: string;
  args: LoadArgs;
  /** File with every customer id, one per line. */
  ids: string;
  token: string;
}

/** GET …/health for random customers: warm both servers up, then measure each. */
async function measureHealth(
  load: LoadSetup,
  helloWorld: ServerProcess,
  engine: ServerProcess,
): Promise<Comparison> {
  const { args } = load;
  const run = (server: ServerProcess, seconds: number, label: string) =>
    step(label, seconds, () =>
      runLoad(load.wrk, {
        url: server.url,
        script: "health.lua",
        scriptArgs: [load.ids, load.token],
        connections: args.connections,
        threads: args.threads,
        seconds,
        watch: { server: server.pid },
      }));
  await run(helloWorld, args.warmup, "Warming up the hello-world server");
  await run(engine, args.warmup, "Warming up the engine");
  return {
    connections: args.connections,
    helloWorld: await run(helloWorld, args.duration, "Health reads, hello-world"),
    engine: await run(engine, args.duration, "Health reads, engine"),
  };
}

/** POST /api/v1/events with new batches; checks every answered batch was stored whole. */
async function measureEvents(
  db: Db,
  load: LoadSetup,
  helloWorld: ServerProcess,
  engine: ServerProcess,
): Promise<ApiLoadResult["events"]> {
  const { args } = load;
  const started = Math.floor(Date.now() / 1000);
  // Event times fall in the hour before `started` (events.lua).
  const ingest: IngestRun = {
    prefix: `bench-${started.toString(36)}`,
    since: new Date((started - 2 * 3600) * 1000),
  };
  const run = (server: ServerProcess, seconds: number, label: string, prefix: string) =>
    step(label, seconds, () =>
      runLoad(load.wrk, {
        url: `${server.url}/api/v1/events`,
        script: "events.lua",
        scriptArgs: [load.ids, load.token, String(args.batch), prefix, String(started)],
        connections: args.eventsConnections,
        threads: args.threads,
        seconds,
        watch: { server: server.pid },
      }));
  await beginIngestRun(db, ingest);
  try {
    const helloWorldResult = await run(
      helloWorld,
      args.duration,
      "Event batches, hello-world",
      "x",
    );
    // Distinct prefixes keep warm-up and measured ids apart; both are the run's.
    const warm = await run(engine, args.warmup, "Warming up ingestion", `${ingest.prefix}-w`);
    const measured = await run(
      engine,
      args.duration,
      "Event batches, engine",
      `${ingest.prefix}-m`,
    );
    const answered = (r: LoadResult) => (r.requests - r.errors.status) * args.batch;
    return {
      connections: args.eventsConnections,
      helloWorld: helloWorldResult,
      engine: measured,
      batchSize: args.batch,
      stored: await countStoredEvents(db, ingest),
      answered: answered(warm) + answered(measured),
      inFlight: 2 * args.eventsConnections * args.batch,
    };
  } finally {
    const removed = await step("Removing the run's events", 0, () => undoIngestRuns(db));
    warn(`  removed ${removed.toLocaleString("en")} events`);
  }
}

/** Runs `work` with a line on standard error saying what runs and for how long. */
async function step<T>(label: string, seconds: number, work: () => Promise<T>): Promise<T> {
  warn(seconds > 0 ? `${label} (${seconds} s)…` : `${label}…`);
  return await work();
}

async function writeCustomerIds(db: Db, path: string): Promise<void> {
  const rows = await db.query<{ id: string }>("select id from customers order by id");
  await Deno.writeTextFile(path, rows.map((r) => r.id).join("\n") + "\n");
}

async function serverVersion(db: Db): Promise<string> {
  const [row] = await db.query<{ version: string }>(
    "select current_setting('server_version') as version",
  );
  return row?.version.split(" ")[0] ?? "unknown";
}

function parseLoadArgs(argv: string[]): LoadArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: "string", default: "15" },
      warmup: { type: "string", default: "3" },
      connections: { type: "string", default: "50" },
      threads: { type: "string", default: "1" },
      "events-connections": { type: "string", default: "4" },
      batch: { type: "string", default: "1000" },
      database: { type: "string", default: "cs_bench" },
    },
  });
  return {
    duration: wholeNumber("--duration", values.duration, 2, 3_600),
    warmup: wholeNumber("--warmup", values.warmup, 1, 600),
    connections: wholeNumber("--connections", values.connections, 1, 10_000),
    threads: wholeNumber("--threads", values.threads, 1, 64),
    eventsConnections: wholeNumber("--events-connections", values["events-connections"], 1, 1_000),
    batch: wholeNumber("--batch", values.batch, 1, 10_000),
    database: values.database,
  };
}
