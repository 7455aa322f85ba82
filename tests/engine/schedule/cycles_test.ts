import { assertEquals, assertRejects } from "../../helpers/assert.ts";
import type { Clock } from "../../../engine/clock.ts";
import { EngineError } from "../../../engine/errors.ts";
import { createLogger, silentLogger } from "../../../engine/log.ts";
import {
  CycleRunner,
  type CycleStageDefinition,
  runScheduledTick,
  startCycle,
} from "../../../engine/schedule/mod.ts";
import { withTestDb } from "../../helpers/db.ts";
import { movableClock, NOW } from "../../helpers/fixtures.ts";

Deno.test("a cycle whose engine died (no heartbeat within the lease) is taken over by the next start", async () => {
  await withTestDb(async (db) => {
    const lease = { leaseSeconds: 60 };
    const { cycle: dead } = await startCycle(db, {
      trigger: "schedule",
      now: NOW,
      holder: "engine-a",
      ...lease,
    });
    const soon = new Date(NOW.getTime() + 30_000);
    const refused = await assertRejects(
      () => startCycle(db, { trigger: "api", now: soon, holder: "engine-b", ...lease }),
      EngineError,
    );
    assertEquals(refused.code, "CYCLE_ALREADY_RUNNING");
    const later = new Date(NOW.getTime() + 120_000);
    const taken = await startCycle(db, {
      trigger: "api",
      now: later,
      holder: "engine-b",
      ...lease,
    });
    assertEquals([taken.resumed, taken.cycle.id, taken.cycle.resumes], [true, dead.id, 1]);
    const [row] = await db.query<{ status: string; holder: string; n: number }>(
      "select status, holder, (select count(*)::int from cycles) as n from cycles where id = $1",
      [dead.id],
    );
    assertEquals([row?.status, row?.holder, row?.n], ["running", "engine-b", 1]);
  });
});

Deno.test("two engines firing for the same schedule tick run it once", async () => {
  await withTestDb(async (db) => {
    const slot = new Date("2026-06-15T12:00:00Z");
    const { cycle: first } = await startCycle(db, {
      trigger: "schedule",
      now: NOW,
      leaseSeconds: 60,
      scheduleSlot: slot,
      holder: "engine-a",
    });
    await db.query("update cycles set status = 'succeeded', finished_at = $2 where id = $1", [
      first.id,
      NOW,
    ]);
    const second = await assertRejects(
      () =>
        startCycle(db, {
          trigger: "schedule",
          now: NOW,
          leaseSeconds: 60,
          scheduleSlot: slot,
          holder: "engine-b",
        }),
      EngineError,
    );
    assertEquals(second.code, "CYCLE_ALREADY_RUNNING");
    assertEquals(second.message, "Another engine already ran this scheduled cycle");
  });
});

Deno.test("CycleRunner records each stage's timing and counts, and a failing stage fails the cycle", async () => {
  await withTestDb(async (db) => {
    const clock = movableClock(NOW);
    const stages: CycleStageDefinition[] = [
      {
        name: "first",
        run: () => {
          clock.advance(250);
          return Promise.resolve({ items: 3 });
        },
      },
      { name: "broken", run: () => Promise.reject(new Error("model file is corrupt")) },
      { name: "never", run: () => Promise.resolve({}) },
    ];
    const runner = new CycleRunner({ db, clock, log: silentLogger, stages, leaseSeconds: 60 });
    const cycle = await runner.run("cli");
    assertEquals(cycle.status, "failed");
    assertEquals(cycle.error, "Stage broken failed: model file is corrupt");
    assertEquals(cycle.stages.map((s) => [s.name, s.durationMs, s.counts]), [
      ["first", 250, { items: 3 }],
      ["broken", null, {}],
    ]);
    assertEquals(cycle.stages[1]?.error, "model file is corrupt");
    // The failed cycle no longer blocks the next one.
    const next = await new CycleRunner({
      db,
      clock,
      log: silentLogger,
      stages: [],
      leaseSeconds: 60,
    }).run("cli");
    assertEquals(next.status, "succeeded");
  });
});

Deno.test("a cron tick runs one cycle; the same tick on a second engine is skipped quietly", async () => {
  await withTestDb(async (db) => {
    const lines: string[] = [];
    const log = createLogger({ level: "info", write: (line) => lines.push(line) });
    const engine = (clock: Clock) =>
      new CycleRunner({ db, clock, log, stages: [], leaseSeconds: 60 });
    const tick = new Date("2026-06-15T13:00:00.250Z");
    const ran = await runScheduledTick(engine({ now: () => tick }), { now: tick, log });
    assertEquals([ran?.trigger, ran?.status], ["schedule", "succeeded"]);
    const skipped = await runScheduledTick(engine({ now: () => tick }), {
      now: new Date(tick.getTime() + 900),
      log,
    });
    assertEquals(skipped, null);
    assertEquals(JSON.parse(lines.at(-1)!).message, "scheduled cycle skipped");
    const [row] = await db.query<{ n: number }>("select count(*)::int as n from cycles");
    assertEquals(row?.n, 1);
  });
});
