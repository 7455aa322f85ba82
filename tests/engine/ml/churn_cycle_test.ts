import { assert, assertAlmostEquals, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { type ApiTest, withApi } from "../../helpers/api.ts";
import { movableClock, NOW } from "../../helpers/fixtures.ts";
import { seedDemoData } from "../../../engine/demo/mod.ts";
import { scoringSettings } from "../../../engine/health/mod.ts";
import {
  churnFeatureNames,
  computeModelPerformance,
  registerModel,
  trainChurnModel,
} from "../../../engine/ml/mod.ts";
import { loadCustomerFacts } from "../../../engine/rules/mod.ts";
import { createHealthMonitor } from "../../../engine/ops/mod.ts";
import { silentLogger } from "../../../engine/log.ts";

const DAY = 86_400_000;
const change = { actor: "test", now: NOW };

async function seed(api: ApiTest): Promise<void> {
  await seedDemoData(api.db, {
    customers: 200,
    days: 270,
    seed: 7,
    asOf: NOW,
    historyWeeks: 26,
    scoring: scoringSettings(api.config),
  });
}

const train = (api: ApiTest, seed = 42, version?: string) =>
  trainChurnModel(api.db, {
    version,
    asOf: NOW,
    horizonDays: 90,
    snapshots: 3,
    everyDays: 30,
    batchSize: 500,
    gbdt: { seed, maxTrees: 60 },
    change,
  });

Deno.test("a trained model is registered, activated, verified, and scores every customer in the cycle", async () => {
  await withApi(async (api) => {
    await seed(api);
    // Without a model: no churn shards, no prediction, health says so.
    const before = await api.cycles.run("api");
    assertEquals(before.stages.find((s) => s.name === "churn")?.counts.shards, 0);
    assertEquals(
      (await api.call("GET", "/api/v1/customers/sup_0000001/prediction")).body.code,
      "PREDICTION_NOT_FOUND",
    );

    const trained = await train(api);
    assertEquals([trained.version, trained.registered.status], ["1.0.0", "candidate"]);
    const card = trained.card;
    assertEquals(card.features, [...churnFeatureNames]);
    assertEquals(card.featureReference.length, churnFeatureNames.length);
    assert((card.checkSet?.rows.length ?? 0) > 0, "the card keeps a check set");
    assert(card.metrics.test.rocAuc! > 0.6, `ROC AUC ${card.metrics.test.rocAuc}`);

    const activated = await api.call("POST", "/api/v1/models/1.0.0/activate", { reason: "first" });
    assertEquals([activated.status, activated.body.status], [200, "active"]);
    const audit = await api.db.query<{ action: string; reason: string | null }>(
      "select action, reason from audit_log where subject_type = 'model' order by id",
    );
    assertEquals(audit.map((a) => a.action), ["model.registered", "model.activated"]);

    const verified = await api.call("POST", "/api/v1/ml/verify", {});
    assertEquals([verified.status, verified.body.passed, verified.body.scorer], [
      200,
      true,
      "onnxruntime",
    ]);
    assert(verified.body.maxDifference <= 1e-6, `${verified.body.maxDifference}`);

    const cycle = await api.cycles.run("api");
    assertEquals(cycle.status, "succeeded", cycle.error ?? "");
    const churn = cycle.stages.find((s) => s.name === "churn")!;
    const scored = cycle.stages.find((s) => s.name === "health")!.counts.scored!;
    assertEquals([churn.counts.predicted, churn.counts.changed], [scored, scored]);
    const [logged] = await api.db.query<{ n: number; events: number }>(
      `select count(*)::int as n,
         (select count(*)::int from event_log where type = 'churn.predicted') as events
       from churn_prediction_logs`,
    );
    assertEquals([logged?.n, logged?.events], [scored, scored]);

    // Why a customer is at risk: the top 5 contributions, described, largest first.
    const [riskiest] = await api.db.query<{ customer_id: string; probability: number }>(
      "select customer_id, probability from churn_predictions_latest order by probability desc limit 1",
    );
    const prediction = await api.call(
      "GET",
      `/api/v1/customers/${riskiest!.customer_id}/prediction`,
    );
    assertEquals(prediction.status, 200);
    assertEquals(prediction.body.modelVersion, "1.0.0");
    assertEquals(prediction.body.contributions.length, 5);
    const sizes = prediction.body.contributions.map((c: { contribution: number }) =>
      Math.abs(c.contribution)
    );
    assertEquals(sizes, [...sizes].sort((a: number, b: number) => b - a));
    for (const c of prediction.body.contributions) {
      assert(churnFeatureNames.includes(c.feature) && c.description.length > 0, c.feature);
    }
    // Rules see the same prediction as facts.
    const [facts] = await loadCustomerFacts(api.db, { ids: [riskiest!.customer_id] }, NOW);
    assertAlmostEquals(facts!.facts.churnProbability as number, riskiest!.probability, 1e-4);
    assertEquals(facts!.facts.churnModelVersion, "1.0.0");

    // Drift: the scored values against the training distribution, per feature.
    const performance = await api.call("GET", "/api/v1/ml/performance");
    assertEquals(performance.body.drift.features.length, churnFeatureNames.length);
    assertEquals(performance.body.drift.rows, scored);
  }, { clock: { now: () => NOW } });
});

Deno.test("a model that does not load is refused and the active one stays; rollback goes back", async () => {
  await withApi(async (api) => {
    await seed(api);
    await train(api);
    await api.call("POST", "/api/v1/models/1.0.0/activate", {});
    await registerModel(api.db, {
      version: "9.9.9",
      onnx: new TextEncoder().encode("not an onnx file"),
      featureNames: churnFeatureNames,
      card: {},
      metrics: {},
      source: "file:broken.onnx",
      trainedAt: NOW,
    }, change);
    const refused = await api.call("POST", "/api/v1/models/9.9.9/activate", {});
    assertEquals([refused.status, refused.body.code], [422, "MODEL_INVALID"]);
    const active = async () =>
      (await api.call("GET", "/api/v1/models")).body.items
        .filter((m: { status: string }) => m.status === "active")
        .map((m: { version: string }) => m.version);
    assertEquals(await active(), ["1.0.0"]);

    // The next version follows the newest registered (9.9.9, the broken one) unless given.
    assertEquals((await train(api, 7)).version, "9.9.10");
    await train(api, 8, "1.0.1");
    assertEquals((await api.call("POST", "/api/v1/models/1.0.1/activate", {})).status, 200);
    assertEquals(await active(), ["1.0.1"]);
    const rolledBack = await api.call("POST", "/api/v1/models/rollback", { reason: "worse" });
    assertEquals([rolledBack.status, rolledBack.body.version], [200, "1.0.0"]);
    const [entry] = await api.db.query<{ action: string; reason: string }>(
      "select action, reason from audit_log order by id desc limit 1",
    );
    assertEquals([entry?.action, entry?.reason], ["model.rolled_back", "worse"]);
    // An analyst may read models but not change them.
    const forbidden = await api.call("POST", "/api/v1/models/1.0.1/activate", {}, {
      authorization: `Bearer ${api.tokens["success-analyst"]}`,
    });
    assertEquals(forbidden.status, 403);
  }, { clock: { now: () => NOW } });
});

Deno.test("realized performance is judged after the horizon and a drop raises ml.degraded", async () => {
  await withApi(async (api) => {
    await seed(api);
    await train(api);
    await api.call("POST", "/api/v1/models/1.0.0/activate", {});
    await api.cycles.run("api");
    // Most of the customers the model thought safest churn within the horizon: a bad model.
    await api.db.query(
      `update customers set churned_at = $1 where id in (
         select customer_id from churn_predictions_latest order by probability limit 120)`,
      [new Date(NOW.getTime() + 30 * DAY)],
    );
    const later = new Date(NOW.getTime() + 91 * DAY);
    const [result] = await computeModelPerformance(api.db, {
      asOf: later,
      horizonDays: 90,
      alertThreshold: 0.75,
    });
    assertEquals(result?.modelVersion, "1.0.0");
    assert(result!.accuracy! < 0.75, `accuracy ${result!.accuracy}`);
    assert(result!.rocAuc! < 0.5, `a model this wrong ranks worse than chance: ${result!.rocAuc}`);
    assertEquals(result!.calibration.reduce((n, b) => n + b.count, 0), result!.predictions);
    const degraded = await api.db.query<{ payload: { modelVersion: string } }>(
      "select payload from event_log where type = 'ml.degraded'",
    );
    assertEquals(degraded.map((e) => e.payload.modelVersion), ["1.0.0"]);
    // Once per drop: judged again, no second event.
    await computeModelPerformance(api.db, { asOf: later, horizonDays: 90, alertThreshold: 0.75 });
    const [again] = await api.db.query<{ n: number }>(
      "select count(*)::int as n from event_log where type = 'ml.degraded'",
    );
    assertEquals(again?.n, 1);

    const monitor = createHealthMonitor({
      db: api.db,
      config: api.config,
      clock: { now: () => later },
      log: silentLogger,
      churnModels: api.churnModels,
    });
    const ml = (await monitor.refresh()).components.ml;
    const check = ml.checks.find((c) => c.name === "churn-model")!;
    assertEquals(check.status, "degraded");
    assertMatch(check.message, /realized accuracy 0\.\d+ is below 0\.75/);
  }, { clock: { now: () => NOW } });
});

Deno.test("a day's first cycle logs every prediction; later cycles write only what changed", async () => {
  const clock = movableClock();
  await withApi(async (api) => {
    await seed(api);
    await train(api);
    await api.call("POST", "/api/v1/models/1.0.0/activate", {});
    const churnCounts = async () => {
      const cycle = await api.cycles.run("api");
      assertEquals(cycle.status, "succeeded", cycle.error ?? "");
      return cycle.stages.find((s) => s.name === "churn")!.counts;
    };
    const logRows = async () => {
      const [row] = await api.db.query<{ n: number }>(
        "select count(*)::int as n from churn_prediction_logs",
      );
      return row!.n;
    };

    const first = await churnCounts();
    assertEquals([first.logged, first.updated, first.changed], [
      first.predicted,
      first.predicted,
      first.predicted,
    ]);
    // An hour later the usage windows have not moved: nothing is logged or rewritten.
    clock.advance(3_600_000);
    const later = await churnCounts();
    assertEquals(later.predicted, first.predicted);
    assert(later.updated! < first.predicted! / 4, `${later.updated} of ${later.predicted} changed`);
    assertEquals(later.logged, later.updated);
    assertEquals(await logRows(), first.logged! + later.logged!);
    // The next day's first cycle logs every customer again.
    clock.advance(23 * 3_600_000);
    const nextDay = await churnCounts();
    assertEquals(nextDay.logged, nextDay.predicted);
    // Each latest prediction is the log row it was written with.
    const [mismatch] = await api.db.query<{ n: number }>(
      `select count(*)::int as n from churn_predictions_latest l
       where not exists (select 1 from churn_prediction_logs g
         where g.customer_id = l.customer_id and g.predicted_at = l.predicted_at
           and g.probability = l.probability and g.model_version = l.model_version)`,
    );
    assertEquals(mismatch?.n, 0);
  }, { clock });
});
