/**
 * A population for the customer pages' tests: the demo's suppliers with
 * their events and weekly health history, churn predictions written the way
 * the engine's scorer writes them (a log row with the top five contributions
 * and the latest row), then one evaluation cycle so rules fire (the risk
 * rules read the predictions) and interventions are planned, and an in-app
 * message delivered to the customer most at risk.
 */
import type { ConsoleTest } from "../../helpers/console.ts";
import { NOW } from "../../helpers/fixtures.ts";
import { seedDemoData } from "../../../engine/demo/mod.ts";
import { scoringSettings } from "../../../engine/health/mod.ts";
import { deliverToInbox } from "../../../engine/interventions/mod.ts";
import { installDefaultRules, loadFactCatalog } from "../../../engine/rules/mod.ts";

/** When the planted predictions were made: an hour before the cycle. */
export const PREDICTED_AT = new Date(NOW.getTime() - 3_600_000);

/** The planted model's version. */
export const MODEL_VERSION = "0.9.0";

/** What the seed made: the customer most at risk (lowest health of those a rule fired for). */
export interface CustomersSeed {
  riskiest: { id: string; name: string; score: number };
  scored: number;
}

/** Seeds `customers` demo suppliers, predictions for all, a cycle and one inbox message. */
export async function seedCustomers(t: ConsoleTest, customers: number): Promise<CustomersSeed> {
  const db = t.api.db;
  await seedDemoData(db, {
    customers,
    days: 120,
    seed: 11,
    asOf: NOW,
    historyWeeks: 8,
    scoring: scoringSettings(t.api.config),
  });
  await plantPredictions(t);
  // The default rule packs, published, as an engine's first start installs them.
  await installDefaultRules(db, { context: { catalog: await loadFactCatalog(db) }, now: NOW });
  const cycle = await t.api.cycles.run("api");
  if (cycle.status !== "succeeded") throw new Error(`cycle failed: ${cycle.error}`);
  const [riskiest] = await db.query<{ id: string; score: number }>(
    `select h.customer_id as id, h.score::float8 as score from customer_health_latest h
     where exists (select 1 from rule_firings f where f.customer_id = h.customer_id)
     order by h.score, h.customer_id limit 1`,
  );
  const customer = await t.api.call("GET", `/api/v1/customers/${riskiest!.id}`);
  await deliverToInbox(db, {
    interventionId: "manual-1",
    dedupKey: "manual-1",
    customer: { id: riskiest!.id },
    subject: "Need a hand with your first form?",
    text: "We can set it up with you in ten minutes.",
    test: false,
  }, { now: NOW });
  const [scored] = await db.query<{ n: number }>(
    "select count(*)::int as n from customer_health_latest",
  );
  return {
    riskiest: { id: riskiest!.id, name: customer.body.name, score: riskiest!.score },
    scored: scored!.n,
  };
}

/**
 * A prediction for every scored customer, higher the lower its health, with
 * five contributions (the scorer's columns: feature names, values and
 * log-odds, largest first).
 */
async function plantPredictions(t: ConsoleTest): Promise<void> {
  const db = t.api.db;
  await db.query("select ensure_monthly_partition('churn_prediction_logs', $1::date)", [
    PREDICTED_AT,
  ]);
  await db.query(
    `with scored as (
       select customer_id, score::float8 as score,
         least(0.97, greatest(0.03, (100 - score::float8) / 70)) as p
       from customer_health_latest
     ), logged as (
       insert into churn_prediction_logs (customer_id, model_version, probability, confidence,
         confident, top_features, top_values, top_contributions, predicted_at)
       select customer_id, $1, p, greatest(p, 1 - p), greatest(p, 1 - p) >= 0.6,
         array['days_since_last_event', 'logins_30d', 'health_score', 'plan', 'mrr'],
         array[round((100 - score) / 5), round(score / 4), score, 1, 120],
         array[round(((50 - score) / 40)::numeric, 3)::float8, round(((45 - score) / 60)::numeric, 3)::float8,
           round(((50 - score) / 90)::numeric, 3)::float8, -0.12, 0.05],
         $2
       from scored
       returning 1
     )
     insert into churn_predictions_latest (customer_id, model_version, probability, confidence,
       confident, predicted_at)
     select customer_id, $1, p, greatest(p, 1 - p), greatest(p, 1 - p) >= 0.6, $2 from scored`,
    [MODEL_VERSION, PREDICTED_AT],
  );
}
