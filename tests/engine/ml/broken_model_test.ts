import { assertEquals, assertMatch } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";
import { customer, NOW } from "../../helpers/fixtures.ts";
import { churnFeatureNames, registerModel } from "../../../engine/ml/mod.ts";
import { upsertCustomers } from "../../../engine/signals/mod.ts";
import { createHealthMonitor } from "../../../engine/ops/mod.ts";
import { silentLogger } from "../../../engine/log.ts";

Deno.test("an active model whose file does not load skips the churn stage, not the cycle, and health says why", async () => {
  await withApi(async (api) => {
    await upsertCustomers(api.db, [customer("sup_a"), customer("sup_b")], { now: NOW });
    await registerModel(api.db, {
      version: "1.0.0",
      onnx: new TextEncoder().encode("damaged on disk"),
      featureNames: churnFeatureNames,
      card: {},
      metrics: {},
      source: "file:damaged.onnx",
      trainedAt: NOW,
    }, { actor: "test", now: NOW });
    // Made active behind the API's back (activation through the API would refuse it).
    await api.db.query("update churn_models set status = 'active' where version = '1.0.0'");

    const cycle = await api.cycles.run("api");
    assertEquals(cycle.status, "succeeded", cycle.error ?? "");
    const churn = cycle.stages.find((s) => s.name === "churn")!;
    assertEquals([churn.counts.predicted, churn.counts.skippedShards], [0, 1]);
    assertEquals(cycle.stages.find((s) => s.name === "health")?.counts.scored, 2);

    const monitor = createHealthMonitor({
      db: api.db,
      config: api.config,
      clock: { now: () => NOW },
      log: silentLogger,
      churnModels: api.churnModels,
    });
    const check = (await monitor.refresh()).components.ml.checks.find((c) =>
      c.name === "churn-model"
    )!;
    assertEquals(check.status, "unhealthy");
    assertMatch(check.message, /^Churn model 1\.0\.0 does not load: /);
  }, { clock: { now: () => NOW } });
});
