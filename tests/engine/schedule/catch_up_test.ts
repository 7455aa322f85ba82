import { assert, assertEquals } from "../../helpers/assert.ts";
import type { Db } from "../../../engine/db/mod.ts";
import { createLogger } from "../../../engine/log.ts";
import { catchUpMissedCycles, CycleRunner } from "../../../engine/schedule/mod.ts";
import { withTestDb } from "../../helpers/db.ts";
import { NOW } from "../../helpers/fixtures.ts";

const HOURLY = "0 * * * *";

function setUp(db: Db) {
  const lines: string[] = [];
  const log = createLogger({ level: "info", write: (line) => lines.push(line) });
  const runner = new CycleRunner({
    db,
    clock: { now: () => NOW },
    log,
    stages: [],
    leaseSeconds: 60,
  });
  const logged = (message: string) => lines.some((line) => JSON.parse(line).message === message);
  const catchUp = (policy: "run" | "skip") =>
    catchUpMissedCycles(runner, db, { schedule: HOURLY, policy, now: NOW, log });
  return { catchUp, logged };
}

async function lastCycleAt(db: Db, at: Date): Promise<void> {
  await db.query(
    `insert into cycles (trigger, status, as_of, started_at, heartbeat_at, finished_at)
     values ('schedule', 'succeeded', $1, $1, $1, $1)`,
    [at],
  );
}

Deno.test("catch-up run: scheduled cycles missed while no engine ran are caught up once at start", async () => {
  await withTestDb(async (db) => {
    const { catchUp, logged } = setUp(db);
    // The last cycle ran 3 h 10 min before NOW (12:00): the 09:00, 10:00, 11:00 and 12:00 ticks were missed.
    await lastCycleAt(db, new Date(NOW.getTime() - 190 * 60_000));
    const caught = await catchUp("run");
    assertEquals(caught.missed, 4);
    assert(caught.cycle && caught.finished);
    assertEquals((await caught.finished).status, "succeeded");
    const [row] = await db.query<{ trigger: string; schedule_slot: Date }>(
      "select trigger, schedule_slot from cycles where id = $1",
      [caught.cycle.id],
    );
    // Run as the latest missed tick, so an engine whose cron fires for it now skips it.
    assertEquals([row?.trigger, row?.schedule_slot.toISOString()], ["startup", NOW.toISOString()]);
    assert(logged("scheduled cycles were missed while no engine ran; running one now"));

    // Started again, nothing is missed: the catch-up cycle is the last run.
    const again = await setUp(db).catchUp("run");
    assertEquals([again.missed, again.cycle], [0, null]);
  });
});

Deno.test("catch-up skip logs the missed cycles and runs none; a database that never ran one missed none", async () => {
  await withTestDb(async (db) => {
    const { catchUp, logged } = setUp(db);
    const fresh = await catchUp("run");
    assertEquals([fresh.missed, fresh.cycle], [0, null]);
    await lastCycleAt(db, new Date(NOW.getTime() - 90 * 60_000));
    const skipped = await catchUp("skip");
    assertEquals([skipped.missed, skipped.cycle], [2, null]);
    assert(logged("scheduled cycles were missed while no engine ran; skipped"));
    const [row] = await db.query<{ n: number }>("select count(*)::int as n from cycles");
    assertEquals(row?.n, 1);
  });
});
