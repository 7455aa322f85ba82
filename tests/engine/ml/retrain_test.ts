import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";
import { NOW } from "../../helpers/fixtures.ts";
import { seedDemoData } from "../../../engine/demo/mod.ts";
import { scoringSettings } from "../../../engine/health/mod.ts";
import { trainChurnModel } from "../../../engine/ml/mod.ts";
import { runRetrain } from "../../../engine/schedule/mod.ts";
import { silentLogger } from "../../../engine/log.ts";

Deno.test("the weekly retrain activates a candidate only when it beats the active model, once per tick", async () => {
  await withApi(async (api) => {
    await seedDemoData(api.db, {
      customers: 200,
      days: 270,
      seed: 11,
      asOf: NOW,
      historyWeeks: 26,
      scoring: scoringSettings(api.config),
    });
    // A weak active model: one stump.
    await trainChurnModel(api.db, {
      asOf: NOW,
      horizonDays: 90,
      snapshots: 3,
      everyDays: 30,
      batchSize: 500,
      gbdt: { maxTrees: 1, maxDepth: 1 },
      change: { actor: "test", now: NOW },
    });
    await api.churnModels.activate("1.0.0", { actor: "test", now: NOW });

    const deps = {
      db: api.db,
      models: api.churnModels,
      config: api.config,
      clock: { now: () => NOW },
      log: silentLogger,
    };
    const tick = new Date("2026-06-15T03:00:00Z");
    const outcome = await runRetrain(deps, tick);
    assert(outcome !== null, "the first engine at a tick trains");
    assertEquals([outcome.candidate, outcome.active], ["1.0.1", "1.0.0"]);
    assert(
      outcome.candidateAuc > outcome.activeAuc!,
      `${outcome.candidateAuc} against ${outcome.activeAuc}`,
    );
    assertEquals(outcome.activated, true);
    const [entry] = await api.db.query<{ action: string; reason: string; subject_id: string }>(
      "select action, reason, subject_id from audit_log order by id desc limit 1",
    );
    assertEquals([entry?.action, entry?.subject_id], ["model.activated", "1.0.1"]);
    assertMatch(entry!.reason, /^weekly retrain: ROC AUC 0\.\d{4} against 0\.\d{4} \(1\.0\.0\)/);

    // The same tick again (another engine): already claimed, nothing trained.
    assertEquals(await runRetrain(deps, tick), null);
    const runs = await api.db.query<{ outcome: { activated: boolean } }>(
      "select outcome from scheduled_job_runs where job = 'churn-model-retrain'",
    );
    assertEquals(runs.map((r) => r.outcome.activated), [true]);

    // Next week, on the same data: the candidate is no better than the model trained the same
    // way, so the active model stays and the candidate is kept as rejected.
    const next = await runRetrain(deps, new Date("2026-06-22T03:00:00Z"));
    assertEquals(next?.activated, false);
    const statuses = await api.db.query<{ version: string; status: string }>(
      "select version, status from churn_models order by version",
    );
    assertEquals(statuses, [
      { version: "1.0.0", status: "retired" },
      { version: "1.0.1", status: "active" },
      { version: "1.0.2", status: "rejected" },
    ]);
  }, { clock: { now: () => NOW } });
});
