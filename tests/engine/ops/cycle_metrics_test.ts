import { assert, assertEquals } from "../../helpers/assert.ts";
import { silentLogger } from "../../../engine/log.ts";
import { createEngineMetrics } from "../../../engine/ops/mod.ts";
import { CycleRunner, type CycleStageDefinition } from "../../../engine/schedule/mod.ts";
import { withTestDb } from "../../helpers/db.ts";
import { movableClock, NOW } from "../../helpers/fixtures.ts";

Deno.test("cycle and stage durations are recorded by stage, trigger and status", async () => {
  await withTestDb(async (db) => {
    const clock = movableClock(NOW);
    const metrics = createEngineMetrics();
    let failNext = false;
    const stages: CycleStageDefinition[] = [
      {
        name: "health",
        run: () => {
          clock.advance(1_500);
          return Promise.resolve({ scored: 3 });
        },
      },
      {
        name: "rules",
        run: () => {
          clock.advance(250);
          return failNext ? Promise.reject(new Error("rule set is broken")) : Promise.resolve({});
        },
      },
    ];
    const runner = new CycleRunner({
      db,
      clock,
      log: silentLogger,
      stages,
      leaseSeconds: 60,
      metrics,
    });
    assertEquals((await runner.run("api")).status, "succeeded");
    failNext = true;
    assertEquals((await runner.run("cli")).status, "failed");

    const stage = (name: string, status: string) =>
      metrics.cycleStageDuration.stats({ stage: name, status });
    assertEquals(stage("health", "succeeded"), { count: 2, sum: 3 });
    assertEquals(stage("rules", "succeeded"), { count: 1, sum: 0.25 });
    assertEquals(stage("rules", "failed"), { count: 1, sum: 0.25 });
    assertEquals(metrics.cycleDuration.stats({ trigger: "api", status: "succeeded" }), {
      count: 1,
      sum: 1.75,
    });
    assertEquals(metrics.cycleDuration.stats({ trigger: "cli", status: "failed" }), {
      count: 1,
      sum: 1.75,
    });

    const text = await metrics.registry.render();
    assert(
      text.includes(
        'cs_cycle_stage_duration_seconds_bucket{stage="health",status="succeeded",' +
          'le="2.5"} 2\n',
      ),
      text,
    );
    assert(text.includes('cs_cycle_duration_seconds_count{trigger="cli",status="failed"} 1\n'));
  });
});
