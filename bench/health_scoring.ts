/**
 * `deno task bench:health`: scores a population of demo suppliers end to end
 * on real PostgreSQL with the engine's set-based path, scores a sample the
 * naive way (one customer at a time) as the baseline, checks both agree, and
 * prints customers/s and their ratio. bench/README.md explains the method.
 *
 *   --customers N       population size (default 100,000)
 *   --days N            days of everyday usage (default 30)
 *   --seed N            random seed of the population (default 42)
 *   --as-of DATE        the "today" of the data (default 2026-11-01)
 *   --naive-sample N    customers the naive baseline scores (default 2,000)
 *   --batch-sizes LIST  batch sizes to measure, the first is the headline
 *                       (default: SCORING_BATCH_SIZE, then 20,000); each runs
 *                       SCORING_CONCURRENCY batches at a time, and the first
 *                       also one at a time
 *   --database NAME     database to create and use on the server (default cs_bench)
 *   --reseed            seed again even if the database holds this population
 *
 * The server is BENCH_DATABASE_URL, else DATABASE_URL, else local PostgreSQL.
 * Exits non-zero only if the two paths disagree on scores (or on errors);
 * targets are informational.
 */
import { wholeNumber } from "../cli/flags.ts";
import { parseArgs } from "node:util";
import { runCommand, say, warn } from "../cli/output.ts";
import { loadConfig } from "../engine/config.ts";
import type { Db } from "../engine/db/mod.ts";
import { EngineError } from "../engine/errors.ts";
import { getActiveHealthModel, type HealthModel, scoringSettings } from "../engine/health/mod.ts";
import {
  type BenchDatabase,
  benchServerUrl,
  describeServer,
  openBenchDatabase,
} from "./health/database.ts";
import { bar, seedProgress } from "./health/progress.ts";
import { populationFromFlags, populationOptions } from "./health/population_flags.ts";
import {
  compareScores,
  measureNaive,
  measureSetBased,
  type NaivePass,
  type NaiveSession,
  sampleCustomers,
  type ScoreCheck,
  type SetBasedPass,
} from "./health/passes.ts";
import {
  countActiveCustomers,
  ensurePopulation,
  type Population,
  restoreHealthState,
} from "./health/population.ts";
import { openPreparedSession } from "./health/prepared.ts";
import { type BenchResult, formatReport, saveResult, verdictOf } from "./health/report.ts";

const HOUR_MS = 3_600_000;

/** The run's parameters, from the command line and the configuration. */
interface BenchArgs {
  customers: number;
  days: number;
  seed: number;
  asOf: Date;
  naiveSample: number;
  batchSizes: number[];
  /** Batches in flight at once (SCORING_CONCURRENCY). */
  concurrency: number;
  database: string;
  reseed: boolean;
}

await runCommand(async () => {
  const config = loadConfig(Deno.env.toObject());
  const args = {
    ...parseBenchArgs(Deno.args, config.SCORING_BATCH_SIZE),
    concurrency: config.SCORING_CONCURRENCY,
  };
  const serverUrl = benchServerUrl(config);
  const bench = await openBenchDatabase(serverUrl, { name: args.database, poolSize: 4 });
  const { db } = bench;
  try {
    const { customers, days, seed, asOf } = args;
    const population = await ensurePopulation(db, { customers, days, seed, asOf }, {
      reseed: args.reseed,
      scoring: scoringSettings(config),
      retentionDays: config.DATA_RETENTION_DAYS,
      onProgress: seedProgress(),
    });
    const result = await measure(bench, population, args, {
      changeThreshold: config.HEALTH_CHANGE_THRESHOLD,
      server: describeServer(serverUrl, args.database),
    });
    const verdict = verdictOf(result);
    say();
    for (const line of formatReport(result, verdict)) say(line);
    warn(`\nFigures saved to ${await saveResult(result, verdict)}`);
    if (!verdict.scoresAgree) {
      const wrong = result.checks.flatMap((c) => c.disagreements);
      for (const d of wrong.slice(0, 10)) {
        warn(`  ${d.customerId} ${d.field}: naive ${d.naive}, set-based ${d.setBased}`);
      }
      throw new EngineError(
        "INTERNAL",
        "The naive and set-based paths computed different scores, so the ratio means nothing; " +
          "see the disagreements in the JSON results",
      );
    }
  } finally {
    await bench.close();
  }
});

/**
 * Runs the naive sample (through the engine's Db, then with prepared
 * statements), then each set-based pass, all scoring one hour after the
 * seed's scoring (the next hourly cycle), each from the same state.
 */
async function measure(
  bench: BenchDatabase,
  population: Population,
  args: BenchArgs,
  options: { changeThreshold: number; server: string },
): Promise<BenchResult> {
  const { db } = bench;
  await restoreHealthState(db, population.asOf); // Leftovers of an interrupted run.
  const asOf = new Date(population.asOf.getTime() + HOUR_MS);
  const activeCustomers = await countActiveCustomers(db, asOf);
  const naiveOptions = {
    model: await getActiveHealthModel(db),
    asOf,
    changeThreshold: options.changeThreshold,
  };
  const ids = await sampleCustomers(db, asOf, args.naiveSample);
  const naive = await measureNaiveSample(db, ids, naiveOptions, "Naive scoring through the Db");
  const prepared = openPreparedSession(bench.url);
  const naivePrepared = await measureNaiveSample(
    prepared,
    ids,
    naiveOptions,
    "Naive scoring, prepared statements",
  ).finally(() => prepared.close());
  const passes: SetBasedPass[] = [];
  const checks: ScoreCheck[] = [];
  for (const { batchSize, concurrency } of passPlan(args)) {
    passes.push(await measureSetBasedPass(db, { ...naiveOptions, batchSize, concurrency }));
    checks.push(await compareScores(db, naive.scores, asOf));
    await restoreHealthState(db, population.asOf);
  }
  return {
    date: new Date().toISOString(),
    server: options.server,
    ...await serverSettings(db),
    cores: navigator.hardwareConcurrency,
    population,
    scoringAsOf: asOf,
    activeCustomers,
    naive: withoutScores(naive),
    naivePrepared: withoutScores(naivePrepared),
    passes,
    checks,
  };
}

/** The headline pass (as configured), the same one batch at a time, then the other sizes. */
function passPlan(args: BenchArgs): Array<{ batchSize: number; concurrency: number }> {
  const [first = 0, ...others] = args.batchSizes;
  const { concurrency } = args;
  return [
    { batchSize: first, concurrency },
    ...(concurrency > 1 ? [{ batchSize: first, concurrency: 1 }] : []),
    ...others.map((batchSize) => ({ batchSize, concurrency })),
  ];
}

async function measureSetBasedPass(
  db: Db,
  options: { asOf: Date; batchSize: number; concurrency: number; changeThreshold: number },
): Promise<SetBasedPass> {
  const progress = bar(
    `Set-based scoring, batch ${options.batchSize.toLocaleString("en")} × ${options.concurrency}`,
  );
  const pass = await measureSetBased(db, {
    ...options,
    onProgress: (done, total) => progress.update(done, total),
  });
  progress.done();
  return pass;
}

async function measureNaiveSample(
  session: NaiveSession,
  ids: readonly string[],
  options: { model: HealthModel; asOf: Date; changeThreshold: number },
  label: string,
): Promise<NaivePass> {
  const progress = bar(label, ids.length);
  const naive = await measureNaive(session, ids, {
    ...options,
    onProgress: (done) => progress.update(done, ids.length),
  });
  progress.done();
  return naive;
}

function withoutScores(pass: NaivePass): Omit<NaivePass, "scores"> {
  const { scores: _scores, ...figures } = pass;
  return figures;
}

/** The server's version and whether it JIT-compiles queries (it decides the scoring time). */
async function serverSettings(db: Db): Promise<{ postgres: string; jit: string }> {
  const [row] = await db.query<{ version: string; jit: string }>(
    "select current_setting('server_version') as version, current_setting('jit') as jit",
  );
  return { postgres: row?.version.split(" ")[0] ?? "unknown", jit: row?.jit ?? "unknown" };
}

function parseBenchArgs(
  argv: string[],
  configuredBatchSize: number,
): Omit<BenchArgs, "concurrency"> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...populationOptions,
      "naive-sample": { type: "string", default: "2000" },
      "batch-sizes": { type: "string", default: `${configuredBatchSize},20000` },
    },
  });
  const batchSizes = values["batch-sizes"].split(",").map((text) =>
    wholeNumber("--batch-sizes", text.trim(), 1, 100_000)
  );
  return {
    ...populationFromFlags(values),
    naiveSample: wholeNumber("--naive-sample", values["naive-sample"], 1, 100_000),
    batchSizes: [...new Set(batchSizes)],
    database: values.database,
    reseed: values.reseed,
  };
}
