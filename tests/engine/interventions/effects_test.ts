import { assertEquals } from "../../helpers/assert.ts";
import { withTestDb } from "../../helpers/db.ts";
import { customer, installDefaults, NOW } from "../../helpers/fixtures.ts";
import { plantInterventions } from "../../helpers/interventions.ts";
import type { Db } from "../../../engine/db/mod.ts";
import { measureEffects } from "../../../engine/interventions/mod.ts";
import { upsertCustomers } from "../../../engine/signals/mod.ts";

const DAY = 86_400_000;
const at = (days: number) => new Date(NOW.getTime() + days * DAY);

async function scoreAt(db: Db, customerId: string, days: number, score: number): Promise<void> {
  await db.query(
    `insert into customer_health (customer_id, score, at_risk_score, components, at_risk_factors,
       model_version, scored_at)
     values ($1, $2, 100 - $2::numeric, '{}', '[]', 'test', $3)`,
    [customerId, score, at(days)],
  );
}

interface Effect {
  customer_id: string;
  health_before: string | null;
  health_after_14d: string | null;
  retained_30d: boolean | null;
  retained_60d: boolean | null;
  retained_90d: boolean | null;
  complete: boolean;
}

const effects = (db: Db) =>
  db.query<Effect>(
    `select i.customer_id, e.health_before::text, e.health_after_14d::text, e.retained_30d,
       e.retained_60d, e.retained_90d, e.next_due_at is null as complete
     from intervention_effects e join success_interventions i on i.id = e.intervention_id
     order by i.customer_id`,
  );

Deno.test("the outcomes of sends and of the control group are measured as their days pass", async () => {
  await withTestDb(async (db) => {
    await installDefaults(db);
    const ids = ["sup_a", "sup_b", "sup_c", "sup_d", "sup_e"];
    await upsertCustomers(db, ids.map((id) => customer(id)), { now: at(-30) });
    for (const id of ids) await scoreAt(db, id, -1, 40);
    await scoreAt(db, "sup_a", 10, 55); // a's health rose within the 14 days…
    await scoreAt(db, "sup_a", 20, 70); // …and later, which the 14-day measure does not see
    await scoreAt(db, "sup_c", 12, 30);
    await plantInterventions(db, [
      { customerId: "sup_a", ruleId: "r", decision: "send", plannedAt: NOW, sentAt: NOW },
      { customerId: "sup_b", ruleId: "r", decision: "send", plannedAt: NOW, sentAt: NOW },
      { customerId: "sup_c", ruleId: "r", decision: "holdout", plannedAt: NOW },
      // Suppressed and test sends are not measured.
      { customerId: "sup_d", ruleId: "r", decision: "suppressed", plannedAt: NOW },
      { customerId: "sup_e", ruleId: "r", decision: "send", plannedAt: NOW, test: true },
    ]);
    // a churns on day 40, c on day 20; b stays.
    await db.query("update customers set churned_at = $2 where id = $1", ["sup_a", at(40)]);
    await db.query("update customers set churned_at = $2 where id = $1", ["sup_c", at(20)]);

    // Day 5: enrolled with the health at planning; nothing is due yet.
    assertEquals(await measureEffects(db, { asOf: at(5), batchSize: 2 }), {
      enrolled: 3,
      measured: 0,
    });
    const none = { health_after_14d: null, retained_30d: null, retained_60d: null };
    const pending = { ...none, retained_90d: null, complete: false };
    assertEquals(await effects(db), [
      { customer_id: "sup_a", health_before: "40.00", ...pending },
      { customer_id: "sup_b", health_before: "40.00", ...pending },
      { customer_id: "sup_c", health_before: "40.00", ...pending },
    ]);

    // Day 35: health 14 days after, and retention at 30 days.
    assertEquals(await measureEffects(db, { asOf: at(35), batchSize: 2 }), {
      enrolled: 0,
      measured: 3,
    });
    const after35 = (await effects(db)).map((e) => [
      e.customer_id,
      e.health_after_14d,
      e.retained_30d,
      e.retained_60d,
    ]);
    assertEquals(after35, [
      ["sup_a", "55.00", true, null],
      ["sup_b", "40.00", true, null],
      ["sup_c", "30.00", false, null],
    ]);
    // The same day again measures nothing twice.
    assertEquals(await measureEffects(db, { asOf: at(35), batchSize: 2 }), {
      enrolled: 0,
      measured: 0,
    });

    // Day 100: 60 and 90 days; a churned on day 40. Measures set before do not change.
    await measureEffects(db, { asOf: at(100), batchSize: 2 });
    assertEquals(
      (await effects(db)).map((e) => [
        e.customer_id,
        e.health_after_14d,
        e.retained_30d,
        e.retained_60d,
        e.retained_90d,
        e.complete,
      ]),
      [
        ["sup_a", "55.00", true, false, false, true],
        ["sup_b", "40.00", true, true, true, true],
        ["sup_c", "30.00", false, false, false, true],
      ],
    );
    assertEquals(await measureEffects(db, { asOf: at(200), batchSize: 2 }), {
      enrolled: 0,
      measured: 0,
    });
  });
});

Deno.test("a customer never scored gets no health measures, and retention still", async () => {
  await withTestDb(async (db) => {
    await installDefaults(db);
    await upsertCustomers(db, [customer("sup_a")], { now: NOW });
    await plantInterventions(db, [{
      customerId: "sup_a",
      ruleId: "r",
      decision: "send",
      plannedAt: NOW,
    }]);
    assertEquals(await measureEffects(db, { asOf: at(40), batchSize: 10 }), {
      enrolled: 1,
      measured: 1,
    });
    const [effect] = await effects(db);
    assertEquals([effect?.health_before, effect?.health_after_14d, effect?.retained_30d], [
      null,
      null,
      true,
    ]);
  });
});
