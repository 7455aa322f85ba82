/** Each alert metric on a small, known population: its value, its groups, and no value without data. */
import { assertEquals } from "../../helpers/assert.ts";
import { withTestDb } from "../../helpers/db.ts";
import { daysAgo, NOW } from "../../helpers/fixtures.ts";
import { alertMetrics } from "../../../engine/alerts/mod.ts";
import type { Db } from "../../../engine/db/mod.ts";

function compute(db: Db, name: string, groupBy: "plan" | null = null) {
  return alertMetrics.get(name)!.compute({ db, now: NOW }, groupBy);
}

async function customers(db: Db): Promise<void> {
  // a1–a4 on starter, b1–b4 on pro, all signed up in January. a1 churned 10 days ago (in the
  // window), b1 60 days ago (before it: not counted at all), c1 signed up 5 days ago (after
  // the window's start: not counted).
  await db.query(
    `insert into customers (id, name, vendor_type, plan, country, time_zone, signup_date,
       churned_at)
     values ('a1', 'A1', 'venue', 'starter', 'GB', 'UTC', '2026-01-10', $1),
       ('a2', 'A2', 'venue', 'starter', 'GB', 'UTC', '2026-01-10', null),
       ('a3', 'A3', 'venue', 'starter', 'GB', 'UTC', '2026-01-10', null),
       ('a4', 'A4', 'venue', 'starter', 'GB', 'UTC', '2026-01-10', null),
       ('b1', 'B1', 'dj', 'pro', 'GB', 'UTC', '2026-01-10', $2),
       ('b2', 'B2', 'dj', 'pro', 'GB', 'UTC', '2026-01-10', null),
       ('b3', 'B3', 'dj', 'pro', 'GB', 'UTC', '2026-01-10', null),
       ('b4', 'B4', 'dj', 'pro', 'GB', 'UTC', '2026-01-10', null),
       ('c1', 'C1', 'dj', 'pro', 'GB', 'UTC', $3, null)`,
    [daysAgo(10), daysAgo(60), daysAgo(5).toISOString().slice(0, 10)],
  );
}

Deno.test("churn_rate: churned in the last 30 days over active at the window's start, by plan", async () => {
  await withTestDb(async (db) => {
    assertEquals(await compute(db, "churn_rate"), [], "no customers: no value");
    await customers(db);
    assertEquals(await compute(db, "churn_rate"), [{ group: "", value: 1 / 7 }]);
    const byPlan = (await compute(db, "churn_rate", "plan")).sort((x, y) =>
      x.group.localeCompare(y.group)
    );
    assertEquals(byPlan, [{ group: "pro", value: 0 }, { group: "starter", value: 0.25 }]);
  });
});

Deno.test("at_risk_share, intervention_success and error_rate count what they say", async () => {
  await withTestDb(async (db) => {
    await customers(db);
    for (const [id, atRisk] of [["a2", 80], ["a3", 50], ["b2", 10], ["a1", 90]] as const) {
      await db.query(
        `with h as (insert into customer_health (customer_id, score, at_risk_score, components,
             at_risk_factors, model_version, scored_at)
           values ($1, 50, $2, '{}', '{}', '1', $3) returning id)
         insert into customer_health_latest (customer_id, health_id, score, at_risk_score,
           components, at_risk_factors, model_version, scored_at)
         select $1, id, 50, $2, '{}', '{}', '1', $3 from h`,
        [id, atRisk, NOW],
      );
    }
    // a1 churned: only a2, a3 (at risk, ≥ 50) and b2 count.
    assertEquals(await compute(db, "at_risk_share"), [{ group: "", value: 2 / 3 }]);

    assertEquals(await compute(db, "intervention_success"), [], "nothing sent: no value");
    const send = async (key: string, status: string, sentDaysAgo: number, attempts = 1) => {
      const [row] = await db.query<{ id: number }>(
        `insert into success_interventions (idempotency_key, customer_id, template_id, channel,
           priority, decision, status, planned_at, scheduled_for, sent_at, attempts)
         values ($1, 'a2', 't', 'email', 1, 'send', $2, $3, $3, $4, $5) returning id`,
        [
          key,
          status,
          daysAgo(sentDaysAgo),
          ["sent", "delivered"].includes(status) ? daysAgo(sentDaysAgo) : null,
          attempts,
        ],
      );
      return row!.id;
    };
    const clicked = await send("k1", "sent", 3);
    await send("k2", "delivered", 3);
    await send("k3", "sent", 40); // before the window
    const failed = await send("k4", "failed", 0.5);
    await send("k5", "dead", 2); // failed more than a day ago
    await db.query(
      `insert into intervention_outcomes (intervention_id, kind, occurred_at, source)
       values ($1, 'clicked', $2, 'link'), ($3, 'opened', $2, 'pixel')`,
      [clicked, NOW, failed],
    );
    assertEquals(await compute(db, "intervention_success"), [{ group: "", value: 0.5 }]);
    // Within 24 hours: none of k1–k3 (planned 3 and 40 days ago), k4 failed.
    assertEquals(await compute(db, "error_rate"), [{ group: "", value: 1 }]);
  });
});

Deno.test("integration_health is the share of plugins delivering without failures; none: no value", async () => {
  const metric = alertMetrics.get("integration_health")!;
  const db = {} as Db;
  assertEquals(await metric.compute({ db, now: NOW }, null), []);
  const hubStatus = () =>
    Promise.resolve([
      { plugin: "viral", delivery: "durable", breaker: "open", consecutiveFailures: 5 },
      { plugin: "marketing", delivery: "durable", breaker: "closed", consecutiveFailures: 0 },
      { plugin: "dashboard", delivery: "live", consecutiveFailures: 0 },
      { plugin: "offline", delivery: "live", consecutiveFailures: 0 },
    ] as unknown as Awaited<
      ReturnType<NonNullable<Parameters<typeof metric.compute>[0]["hubStatus"]>>
    >);
  assertEquals(await metric.compute({ db, now: NOW, hubStatus }, null), [
    { group: "", value: 0.75 },
  ]);
  assertEquals(
    await metric.compute({ db, now: NOW, hubStatus: () => Promise.resolve([]) }, null),
    [],
  );
});
