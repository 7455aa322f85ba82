import { assertEquals } from "../../helpers/assert.ts";
import { createTestDb } from "../../helpers/db.ts";
import { loadMigrations, migrate } from "../../../engine/db/mod.ts";

Deno.test("migration 0016 keeps logged contributions, in order, as arrays", async () => {
  const test = await createTestDb({ migrated: false });
  try {
    const all = await loadMigrations();
    await migrate(test.db, { migrations: all.filter((m) => m.version < 16) });
    await test.db.query("select ensure_monthly_partition('churn_prediction_logs', '2026-06-01')");
    const contributions = [
      { feature: "mrr", value: 29, contribution: 0.323847 },
      { feature: "nps_last", value: null, contribution: -0.1 },
      { feature: "plan", value: 1, contribution: 0.05 },
    ];
    await test.db.query(
      `insert into churn_prediction_logs (customer_id, model_version, probability, confidence,
         confident, contributions, predicted_at)
       values ('sup_a', '1.0.0', 0.2, 0.8, true, $1::jsonb, '2026-06-15T12:00:00Z')`,
      [contributions],
    );
    await migrate(test.db, { migrations: all });
    const [row] = await test.db.query<
      { features: string[]; values: Array<number | null>; document: unknown }
    >(
      `select top_features as features, to_jsonb(top_values) as values,
         churn_contributions(top_features, top_values, top_contributions) as document
       from churn_prediction_logs`,
    );
    assertEquals(row?.features, ["mrr", "nps_last", "plan"]);
    assertEquals(row?.values, [29, null, 1]);
    assertEquals(row?.document, contributions);
  } finally {
    await test.drop();
  }
});
