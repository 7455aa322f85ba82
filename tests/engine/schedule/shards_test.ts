import { assert, assertEquals } from "../../helpers/assert.ts";
import type { Clock } from "../../../engine/clock.ts";
import { loadConfig } from "../../../engine/config.ts";
import type { Db, Loadable, QueryOptions } from "../../../engine/db/mod.ts";
import { silentLogger } from "../../../engine/log.ts";
import { installDefaultRules, loadFactCatalog } from "../../../engine/rules/mod.ts";
import {
  CycleRunner,
  type CycleStageDefinition,
  evaluationStages,
  type ShardedStage,
} from "../../../engine/schedule/mod.ts";
import { upsertCustomers } from "../../../engine/signals/mod.ts";
import { withTestDb } from "../../helpers/db.ts";
import {
  customer,
  CYCLE_STAGES,
  installDefaults,
  movableClock,
  NOW,
} from "../../helpers/fixtures.ts";

const CUSTOMERS = 24;
const BATCH = 5; // 5 shards per stage: 5, 5, 5, 5, 4

async function population(db: Db): Promise<void> {
  await installDefaults(db);
  const ids = Array.from({ length: CUSTOMERS }, (_, i) => `sup_${String(i).padStart(3, "0")}`);
  // Signed up 50 days ago: the default onboarding rules fire for them.
  await upsertCustomers(db, ids.map((id) => customer(id, { signupDate: "2026-04-26" })), {
    now: NOW,
  });
  await installDefaultRules(db, { context: { catalog: await loadFactCatalog(db) }, now: NOW });
}

const config = loadConfig({ SCORING_BATCH_SIZE: String(BATCH) });

function runner(db: Db, clock: Clock, engineId: string, stages = evaluationStages(config)) {
  return new CycleRunner({
    db,
    clock,
    log: silentLogger,
    stages,
    leaseSeconds: 60,
    heartbeatMs: 60_000,
    engineId,
  });
}

/** What each customer got from cycle `id`: health rows and firings, and each shard's worker. */
async function cycleOutput(db: Db, id: number) {
  const health = await db.query<{ customer_id: string; n: number }>(
    "select customer_id, count(*)::int as n from customer_health where cycle_id = $1 group by 1",
    [id],
  );
  const firings = await db.query<{ n: number; distinct_n: number }>(
    `select count(*)::int as n, count(distinct (customer_id, rule_id))::int as distinct_n
     from rule_firings where cycle_id = $1`,
    [id],
  );
  const shards = await db.query<{ stage: string; shard: number; status: string; worker: string }>(
    `select stage, shard, status, worker from cycle_shards
     where cycle_id = $1 and stage in ('health', 'rules') order by stage, shard`,
    [id],
  );
  return { health, firings: firings[0]!, shards };
}

Deno.test("a cycle's customers are cut into shards, each done once, by whichever engine claims it", async () => {
  await withTestDb(async (db) => {
    await population(db);
    const clock = movableClock();
    // The holder plans the health stage, then waits while another engine works on it.
    const { runner: holder, planned, gate } = pausedAfterPlanning(db, clock, "health");
    const helper = runner(db, clock, "engine-b");
    const started = await holder.start("api");
    await planned;
    assertEquals(await helper.help(), null); // It helps; it does not take the cycle over.
    gate.resolve();
    const cycle = await started.finished;
    assertEquals(cycle.status, "succeeded", cycle.error ?? "");
    const health = cycle.stages.find((s) => s.name === "health")!;
    const rules = cycle.stages.find((s) => s.name === "rules")!;
    assertEquals([health.counts.scored, health.counts.shards], [CUSTOMERS, 5]);
    assertEquals([rules.counts.customers, rules.counts.shards], [CUSTOMERS, 5]);
    const output = await cycleOutput(db, cycle.id);
    assertEquals(output.health.length, CUSTOMERS);
    assert(output.health.every((row) => row.n === 1), "a customer was scored twice");
    assert(output.firings.n > 0, "the default rules fire for suppliers 50 days in");
    assertEquals(output.firings.n, output.firings.distinct_n);
    assertEquals(
      output.shards.map((s) => `${s.stage}:${s.worker}`),
      [...Array(5).fill("health:engine-b"), ...Array(5).fill("rules:engine-a")],
    );
  });
});

Deno.test("an engine killed mid-shard leaves nothing of that shard; the next engine resumes from the unfinished shards", async () => {
  await withTestDb(async (db) => {
    await population(db);
    const clock = movableClock();
    // Engine A loses its database in the middle of its third rules shard, after
    // that shard's work ran (its firings are written in the shard's transaction).
    let shardsDone = 0;
    let dead = false;
    const crashing: Db = severable(db, () => dead);
    const stages = wrapPrepare(
      evaluationStages(config),
      "rules",
      (prepare) => async (params, ctx) => {
        const work = await prepare(params, ctx);
        return async (tx, shard) => {
          const outcome = await work(tx, shard);
          if (++shardsDone === 3) {
            dead = true;
            throw new Error("connection terminated: the engine was killed");
          }
          return outcome;
        };
      },
    );
    const a = runner(crashing, clock, "engine-a", stages);
    const started = await a.start("schedule");
    const aborted = await started.finished.then(() => null, (error: Error) => error);
    assert(aborted !== null, "engine A cannot even record its failure");
    const [left] = await db.query<{ status: string; holder: string }>(
      "select status, holder from cycles where id = $1",
      [started.cycle.id],
    );
    assertEquals([left?.status, left?.holder], ["running", "engine-a"]);
    const before = await cycleOutput(db, started.cycle.id);
    assertEquals(before.shards.filter((s) => s.stage === "rules" && s.status === "done").length, 2);

    // Within the lease nobody takes the cycle; after it, engine B resumes it.
    const b = runner(db, clock, "engine-b");
    assertEquals(await b.help(), null);
    clock.advance(61_000);
    const resumed = await b.help();
    assert(resumed !== null, "engine B takes over the cycle whose heartbeat stopped");
    const cycle = await resumed;
    assertEquals([cycle.id, cycle.status, cycle.resumes], [started.cycle.id, "succeeded", 1]);
    assertEquals(cycle.stages.map((s) => s.name), CYCLE_STAGES);
    const rules = cycle.stages.find((s) => s.name === "rules")!;
    assertEquals(rules.counts.customers, CUSTOMERS);
    const after = await cycleOutput(db, cycle.id);
    assert(after.health.every((row) => row.n === 1), "health was scored twice");
    assertEquals(after.firings.n, after.firings.distinct_n);
    const workers = after.shards.filter((s) => s.stage === "rules").map((s) => s.worker);
    // Shards 0 and 1 were A's; the one it died in and the rest are B's.
    assertEquals(workers, ["engine-a", "engine-a", "engine-b", "engine-b", "engine-b"]);
    // The health stage was finished before the crash and is not run again.
    assert(after.shards.filter((s) => s.stage === "health").every((s) => s.worker === "engine-a"));
  });
});

Deno.test("an engine that lost its lease stops working on the cycle its successor holds", async () => {
  await withTestDb(async (db) => {
    await population(db);
    const clock = movableClock();
    // Engine A stalls after planning its health stage (a long GC pause, a frozen VM).
    const { runner: a, planned, gate } = pausedAfterPlanning(db, clock, "health");
    const started = await a.start("api");
    await planned;
    clock.advance(61_000);
    const b = runner(db, clock, "engine-b");
    const resumed = await b.help();
    assert(resumed !== null, "engine B takes over the cycle whose heartbeat stopped");
    assertEquals((await resumed).status, "succeeded");
    gate.resolve();
    const stale = await started.finished;
    // A reports where it stood and stops; the database keeps B's finished cycle.
    assertEquals(stale.status, "running");
    const [row] = await db.query<{ status: string; holder: string; resumes: number }>(
      "select status, holder, resumes from cycles where id = $1",
      [started.cycle.id],
    );
    assertEquals([row?.status, row?.holder, row?.resumes], ["succeeded", "engine-b", 1]);
    const output = await cycleOutput(db, started.cycle.id);
    assert(output.health.every((r) => r.n === 1));
    assert(output.shards.every((s) => s.worker === "engine-b"));
  });
});

/**
 * Engine A, pausing in stage `name` once it is planned: `planned` resolves
 * then, and it goes on when `gate` is resolved.
 */
function pausedAfterPlanning(db: Db, clock: Clock, name: string) {
  const gate = Promise.withResolvers<void>();
  const planned = Promise.withResolvers<void>();
  const stages = wrapPrepare(evaluationStages(config), name, (prepare) => async (params, ctx) => {
    planned.resolve();
    await gate.promise;
    return await prepare(params, ctx);
  });
  return { runner: runner(db, clock, "engine-a", stages), planned: planned.promise, gate };
}

/** `stages` with the `prepare` of sharded stage `name` replaced by `wrap` of it. */
function wrapPrepare(
  stages: CycleStageDefinition[],
  name: string,
  wrap: (prepare: ShardedStage["prepare"]) => ShardedStage["prepare"],
): CycleStageDefinition[] {
  return stages.map((stage) =>
    stage.sharded && stage.name === name
      ? { ...stage, prepare: wrap(stage.prepare.bind(stage)) }
      : stage
  );
}

/** `db`, except that every call fails once `dead()` (as for a process whose connection is gone). */
function severable(db: Db, dead: () => boolean): Db {
  const gone = () => Promise.reject(new Error("connection terminated: the engine was killed"));
  const guard = (handle: Loadable): Loadable => ({
    query: <T>(sql: string, params?: readonly unknown[], options?: QueryOptions) =>
      dead() ? gone() : handle.query<T>(sql, params, options),
    exec: (sql) => dead() ? gone() : handle.exec(sql),
    copyRows: (table, columns, rows) => dead() ? gone() : handle.copyRows(table, columns, rows),
  });
  return {
    ...guard(db),
    backend: db.backend,
    transaction: (fn) => dead() ? gone() : db.transaction((tx) => fn(guard(tx))),
    listen: (channel, onNotify) => db.listen(channel, onNotify),
    close: () => db.close(),
  };
}
