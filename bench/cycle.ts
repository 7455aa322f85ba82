/**
 * `deno task bench:cycle`: a whole evaluation cycle (health scoring, then 25
 * published rules with their firings stored) over the benchmark population on
 * real PostgreSQL, exactly as the engine runs it (CycleRunner, shards,
 * SCORING_CONCURRENCY workers), with the time per stage; and, as the baseline
 * in the same run, the same cycle done one customer at a time on a sample.
 * bench/README.md explains the method.
 *
 *   --customers N      population size (default 100,000)
 *   --days N           days of everyday usage (default 30)
 *   --seed N           random seed of the population (default 42)
 *   --as-of DATE       the "today" of the data (default 2026-11-01)
 *   --naive-sample N   customers the naive baseline runs (default 500)
 *   --database NAME    database to create and use on the server (default cs_bench)
 *   --reseed           seed again even if the database holds this population
 *
 * The server is BENCH_DATABASE_URL, else DATABASE_URL, else local PostgreSQL.
 * Exits non-zero only on errors; the target is informational.
 */
import { parseArgs } from "node:util";
import { wholeNumber } from "../cli/flags.ts";
import { runCommand, say, stageProgress, warn } from "../cli/output.ts";
import { loadConfig } from "../engine/config.ts";
import type { Db } from "../engine/db/mod.ts";
import { EngineError } from "../engine/errors.ts";
import { getActiveHealthModel, scoringSettings } from "../engine/health/mod.ts";
import { silentLogger } from "../engine/log.ts";
import { channelKinds } from "../engine/plugins/mod.ts";
import { loadPublishedRules } from "../engine/rules/mod.ts";
import { type Cycle, CycleRunner, evaluationStages } from "../engine/schedule/mod.ts";
import { measureNaiveCycle } from "./cycle/naive_cycle.ts";
import { benchServerUrl, describeServer, openBenchDatabase } from "./health/database.ts";
import { sampleCustomers } from "./health/passes.ts";
import { countActiveCustomers, ensurePopulation, restoreHealthState } from "./health/population.ts";
import { bar, seedProgress } from "./health/progress.ts";
import { populationFromFlags, populationOptions } from "./health/population_flags.ts";
import { markdownTable, saveFigures } from "./results.ts";
import { publishBenchRules } from "./rules/publish.ts";

const HOUR_MS = 3_600_000;
const TARGET = { customers: 100_000, seconds: 15 };

await runCommand(async () => {
  const config = loadConfig(Deno.env.toObject());
  const { values } = parseArgs({
    args: Deno.args,
    options: { ...populationOptions, "naive-sample": { type: "string", default: "500" } },
  });
  const spec = populationFromFlags(values);
  const naiveSample = wholeNumber("--naive-sample", values["naive-sample"], 1, 100_000);
  const serverUrl = benchServerUrl(config);
  const bench = await openBenchDatabase(serverUrl, { name: values.database, poolSize: 4 });
  const { db } = bench;
  try {
    const population = await ensurePopulation(db, spec, {
      reseed: values.reseed,
      scoring: scoringSettings(config),
      retentionDays: config.DATA_RETENTION_DAYS,
      onProgress: seedProgress(),
    });
    await publishBenchRules(db);
    await resetCycles(db, population.asOf); // Leftovers of an interrupted run.
    // The next hourly cycle after the seed's scoring.
    const asOf = new Date(population.asOf.getTime() + HOUR_MS);
    const active = await countActiveCustomers(db, asOf);
    const rules = await loadPublishedRules(db);

    const cycle = await runCycle(db, config, asOf);
    const cycleSeconds = seconds(cycle);
    await resetCycles(db, population.asOf);

    const ids = await sampleCustomers(db, asOf, naiveSample);
    const [{ id: cycleId }] = await db.query<{ id: number }>(
      `insert into cycles (trigger, status, as_of, started_at, heartbeat_at, finished_at)
       values ('cli', 'succeeded', $1, $1, $1, $1) returning id`,
      [asOf],
    ) as [{ id: number }];
    const progress = bar("Naive cycle, one customer at a time", ids.length);
    const naive = await measureNaiveCycle(db, ids, {
      model: await getActiveHealthModel(db),
      rules,
      asOf,
      changeThreshold: config.HEALTH_CHANGE_THRESHOLD,
      cycleId,
      onProgress: (done) => progress.update(done, ids.length),
    });
    progress.done();
    await resetCycles(db, population.asOf);

    const perSecond = active / cycleSeconds;
    const projected = TARGET.customers / perSecond;
    const ratio = perSecond / naive.perSecond;
    const stage = (name: string) => cycle.stages.find((s) => s.name === name);
    const figures = {
      date: new Date().toISOString(),
      server: describeServer(serverUrl, values.database),
      cores: navigator.hardwareConcurrency,
      shardWorkers: config.SCORING_CONCURRENCY,
      batchSize: config.SCORING_BATCH_SIZE,
      population: { ...population, activeAtCycle: active },
      rules: rules.length,
      cycle: { seconds: cycleSeconds, perSecond, stages: cycle.stages },
      projectedSecondsFor100k: projected,
      naive,
      ratio,
      // The population holds 100,000 customers; a cycle evaluates those active (not churned).
      target: {
        ...TARGET,
        met: population.customers >= TARGET.customers && cycleSeconds < TARGET.seconds,
        projectedAllActiveMet: projected < TARGET.seconds,
      },
    };
    const health = stage("health");
    const rulesStage = stage("rules");
    const plan = stage("interventions");
    const outcomes = stage("outcomes");
    say();
    for (
      const line of markdownTable([
        [
          "population",
          `${population.customers.toLocaleString("en")} suppliers, ${
            active.toLocaleString("en")
          } active at the cycle, ${population.events.toLocaleString("en")} events`,
        ],
        ["published rules", String(rules.length)],
        [
          "shards × workers",
          `${health?.counts.shards ?? 0} of ≤ ${
            config.SCORING_BATCH_SIZE.toLocaleString("en")
          } customers × ${config.SCORING_CONCURRENCY}`,
        ],
        [
          "stage health",
          `${secondsOf(health)} (${health?.counts.scored?.toLocaleString("en")} scored)`,
        ],
        [
          "stage rules",
          `${secondsOf(rulesStage)} (${rulesStage?.counts.firings?.toLocaleString("en")} firings)`,
        ],
        [
          "stage interventions",
          `${secondsOf(plan)} (${plan?.counts.proposals?.toLocaleString("en")} proposals, ` +
          `${plan?.counts.toSend?.toLocaleString("en")} to send)`,
        ],
        [
          "stage outcomes",
          `${secondsOf(outcomes)} (${outcomes?.counts.enrolled?.toLocaleString("en")} enrolled)`,
        ],
        [
          "whole cycle",
          `${cycleSeconds.toFixed(1)} s, ${Math.round(perSecond).toLocaleString("en")} customers/s`,
        ],
        [
          "naive cycle (sample)",
          `${naive.customers} customers, ${
            Math.round(naive.perSecond).toLocaleString("en")
          } customers/s`,
        ],
        ["ratio (cycle ÷ naive)", `${ratio.toFixed(1)}×`],
        [
          `target: ${TARGET.customers.toLocaleString("en")} customers < ${TARGET.seconds} s`,
          `${figures.target.met ? "met" : "NOT met"}: ${cycleSeconds.toFixed(1)} s for ` +
          `${population.customers.toLocaleString("en")} (${active.toLocaleString("en")} active); ` +
          `${projected.toFixed(1)} s projected were all ${
            TARGET.customers.toLocaleString("en")
          } active`,
        ],
      ])
    ) say(line);
    warn(`\nFigures saved to ${await saveFigures("cycle", figures)}`);
  } finally {
    await bench.close();
  }
});

/** One cycle at `asOf`, as the engine runs it, with a bar per stage. */
async function runCycle(
  db: Db,
  config: ReturnType<typeof loadConfig>,
  asOf: Date,
): Promise<Cycle> {
  // The cycle's clock reads `asOf` at the start and advances in real time.
  const offset = Date.now() - asOf.getTime();
  const bars = stageProgress((stage) => `Cycle stage ${stage}`);
  const runner = new CycleRunner({
    db,
    clock: { now: () => new Date(Date.now() - offset) },
    log: silentLogger,
    // As if every channel were configured: the planner's work is then what it is in production.
    stages: evaluationStages(config, { channels: () => channelKinds }),
    leaseSeconds: config.CYCLE_LEASE_SECONDS,
    shardWorkers: config.SCORING_CONCURRENCY,
    onProgress: bars.update,
  });
  const cycle = await runner.run("cli");
  bars.done();
  if (cycle.status !== "succeeded") {
    throw new EngineError("INTERNAL", `The benchmark cycle ${cycle.status}: ${cycle.error}`);
  }
  return cycle;
}

/**
 * Removes what cycles wrote (firings, cycles with their shards, scorings
 * after the seed's) and vacuums, so every run starts from the same state.
 */
async function resetCycles(db: Db, populationAsOf: Date): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query("delete from intervention_outbox");
    await tx.query("delete from success_interventions");
    await tx.query("delete from rule_firings");
    // The domain events the rules and interventions stages append.
    await tx.query(
      `delete from event_log where type in
         ('rule.fired', 'intervention.planned', 'intervention.sent', 'intervention.failed')`,
    );
    await tx.query("delete from cycles");
    await tx.query("update rules set failing_cycles = 0, counted_cycle = null");
  });
  await restoreHealthState(db, populationAsOf);
  await db.exec(
    "vacuum (analyze) rule_firings, cycles, cycle_stage_plans, cycle_shards, rules, " +
      "success_interventions, intervention_outbox, intervention_effects, event_log",
  );
}

function seconds(cycle: Cycle): number {
  return (Date.parse(cycle.finishedAt!) - Date.parse(cycle.startedAt)) / 1000;
}

function secondsOf(stage: { durationMs: number | null } | undefined): string {
  return `${((stage?.durationMs ?? 0) / 1000).toFixed(1)} s`;
}
