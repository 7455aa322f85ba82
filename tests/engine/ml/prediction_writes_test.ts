import { assert, assertAlmostEquals, assertEquals } from "../../helpers/assert.ts";
import { type ApiTest, withApi } from "../../helpers/api.ts";
import { NOW } from "../../helpers/fixtures.ts";
import { seedDemoData } from "../../../engine/demo/mod.ts";
import { scoringSettings } from "../../../engine/health/mod.ts";
import { trainChurnModel } from "../../../engine/ml/mod.ts";

const change = { actor: "test", now: NOW };

interface Latest {
  customer_id: string;
  model_version: string;
  probability: number;
  confident: boolean;
}

interface PredictedEvent {
  customer_id: string;
  payload: {
    probability: number;
    previousProbability: number | null;
    confident: boolean;
    modelVersion: string;
  };
}

async function setUp(api: ApiTest): Promise<void> {
  await seedDemoData(api.db, {
    customers: 120,
    days: 270,
    seed: 5,
    asOf: NOW,
    historyWeeks: 26,
    scoring: scoringSettings(api.config),
  });
  for (const [version, seed] of [["1.0.0", 42], ["2.0.0", 9]] as const) {
    await trainChurnModel(api.db, {
      version,
      asOf: NOW,
      horizonDays: 90,
      snapshots: 3,
      everyDays: 30,
      batchSize: 500,
      gbdt: { seed, maxTrees: 40 },
      change,
    });
  }
}

const latest = (api: ApiTest) =>
  api.db.query<Latest>(
    `select customer_id, model_version, probability, confident
     from churn_predictions_latest order by customer_id`,
  );

const events = (api: ApiTest, modelVersion: string) =>
  api.db.query<PredictedEvent>(
    `select customer_id, payload from event_log
     where type = 'churn.predicted' and payload ->> 'modelVersion' = $1 order by customer_id`,
    [modelVersion],
  );

Deno.test("a model's first predictions are written with one event each, its next ones replace them", async () => {
  await withApi(async (api) => {
    await setUp(api);
    await api.call("POST", "/api/v1/models/1.0.0/activate", { reason: "first" });
    assertEquals((await api.cycles.run("api")).status, "succeeded");
    const first = await latest(api);
    assert(first.length > 50, `${first.length} customers scored`);
    const firstEvents = await events(api, "1.0.0");
    // Every customer's first prediction: its row and an event saying so, rounded to 4 places.
    assertEquals(firstEvents.map((e) => e.customer_id), first.map((l) => l.customer_id));
    firstEvents.forEach((event, i) => {
      const row = first[i]!;
      assertEquals(row.model_version, "1.0.0");
      assertAlmostEquals(event.payload.probability, row.probability, 5e-5);
      assertEquals(event.payload.previousProbability, null);
      assertEquals(event.payload.confident, row.confident);
    });
    // The log has the same predictions, each with its top five reasons.
    const logged = await api.db.query<{ customer_id: string; probability: number; n: number }>(
      `select customer_id, probability, cardinality(top_features) as n
       from churn_prediction_logs where model_version = '1.0.0' order by customer_id`,
    );
    assertEquals(
      logged.map((l) => [l.customer_id, l.probability]),
      first.map((l) => [
        l.customer_id,
        l.probability,
      ]),
    );
    assert(logged.every((l) => l.n === 5), "five contributions per logged prediction");

    // Another model: every latest prediction replaced, an event only where it moved by 0.1.
    await api.call("POST", "/api/v1/models/2.0.0/activate", { reason: "second" });
    assertEquals((await api.cycles.run("api")).status, "succeeded");
    const second = await latest(api);
    assertEquals(second.map((l) => l.customer_id), first.map((l) => l.customer_id));
    assert(second.every((l) => l.model_version === "2.0.0"), "all replaced by the new model");
    const moved = new Map((await events(api, "2.0.0")).map((e) => [e.customer_id, e.payload]));
    assert(moved.size > 0 && moved.size < second.length, `${moved.size} of ${second.length} moved`);
    second.forEach((row, i) => {
      const before = first[i]!.probability;
      const event = moved.get(row.customer_id);
      if (Math.abs(row.probability - before) >= 0.1) {
        assert(event, `${row.customer_id} moved from ${before} to ${row.probability}`);
        assertAlmostEquals(event.previousProbability!, before, 5e-5);
        assertAlmostEquals(event.probability, row.probability, 5e-5);
      } else {
        assertEquals(event, undefined, `${row.customer_id} barely moved`);
      }
    });
  }, { clock: { now: () => NOW } });
});
