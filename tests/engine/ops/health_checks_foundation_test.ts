import { assertEquals, assertMatch } from "../../helpers/assert.ts";
import { withTestDb } from "../../helpers/db.ts";
import { customer, installDefaults, NOW } from "../../helpers/fixtures.ts";
import { loadConfig } from "../../../engine/config.ts";
import type { Db } from "../../../engine/db/mod.ts";
import { silentLogger } from "../../../engine/log.ts";
import { createHealthMonitor, type CycleScheduling } from "../../../engine/ops/mod.ts";
import { upsertCustomers } from "../../../engine/signals/mod.ts";

async function checkOf(
  db: Db,
  component: "interventions" | "ml",
  name: string,
  options: { scheduling?: CycleScheduling; env?: Record<string, string> } = {},
) {
  const monitor = createHealthMonitor({
    db,
    config: loadConfig(options.env ?? {}),
    clock: { now: () => NOW },
    log: silentLogger,
    ...(options.scheduling ? { scheduling: options.scheduling } : {}),
  });
  const report = await monitor.report();
  return report.components[component].checks.find((c) => c.name === name)!;
}

Deno.test("cycles check - no cycle yet: due at the first tick after the engine started", async () => {
  await withTestDb(async (db) => {
    const cycles = await checkOf(db, "interventions", "cycles", { scheduling: "on" });
    assertEquals(cycles.status, "healthy");
    assertEquals(
      cycles.message,
      "No cycle has run yet; the next is due at 2026-06-15T13:00:00.000Z",
    );
  });
});

Deno.test("cycles check - a running cycle without heartbeats is degraded", async () => {
  await withTestDb(async (db) => {
    const started = new Date(NOW.getTime() - 10 * 60_000);
    await db.query(
      `insert into cycles (trigger, status, as_of, started_at, heartbeat_at)
       values ('api', 'running', $1, $1, $1)`,
      [started],
    );
    const cycles = await checkOf(db, "interventions", "cycles", { scheduling: "on" });
    assertEquals(cycles.status, "degraded");
    assertMatch(
      cycles.message,
      /^Cycle \d+ has sent no heartbeat for 10 min \(more than CYCLE_LEASE_SECONDS=60\)/,
    );
    assertEquals(cycles.details.overdue, false);
  });
});

Deno.test("cycles check - says when the engine cannot schedule, and when scheduling is off", async () => {
  await withTestDb(async (db) => {
    const unavailable = await checkOf(db, "interventions", "cycles", {
      scheduling: "unavailable",
    });
    assertEquals(unavailable.status, "degraded");
    assertMatch(unavailable.message, /start it with --unstable-cron/);
    const disabled = await checkOf(db, "interventions", "cycles", { scheduling: "disabled" });
    assertEquals(disabled.status, "healthy");
    assertEquals(
      disabled.message,
      "No cycle has run yet; scheduled cycles are off (CUSTOMER_SUCCESS_ENABLED=false)",
    );
  });
});

Deno.test("health-scoring check - customers never scored make it degraded until a cycle runs", async () => {
  await withTestDb(async (db) => {
    await installDefaults(db);
    await upsertCustomers(db, [customer("sup_1"), customer("sup_2")], { now: NOW });
    const scoring = await checkOf(db, "ml", "health-scoring");
    assertEquals(scoring.status, "degraded");
    assertEquals(
      scoring.message,
      "None of the 2 customers has a health score yet: run a cycle " +
        "(POST /api/v1/cycles or deno task score)",
    );
    assertEquals(scoring.details.unscoredCustomers, 2);
  });
});

Deno.test("health-scoring check - without an active health model nothing can be scored", async () => {
  await withTestDb(async (db) => {
    const scoring = await checkOf(db, "ml", "health-scoring");
    assertEquals(scoring.status, "unhealthy");
    assertMatch(scoring.message, /^No health model is active/);
  });
});
