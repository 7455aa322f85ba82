import { assert, assertEquals, assertRejects } from "../../helpers/assert.ts";
import { withTestDb } from "../../helpers/db.ts";
import { customer, daysAgo, installDefaults, NOW, usageEvent } from "../../helpers/fixtures.ts";
import { buildTrainingSet, churnFeatureNames, inTestSplit } from "../../../engine/ml/mod.ts";
import { EngineError } from "../../../engine/errors.ts";
import { ingestEvents, upsertCustomers } from "../../../engine/signals/mod.ts";

const limits = { futureToleranceSeconds: 300, retentionDays: 730 };

Deno.test("training snapshots are labelled by churn within the horizon, with nothing from after the snapshot", async () => {
  await withTestDb(async (db) => {
    await installDefaults(db);
    const ids = Array.from({ length: 120 }, (_, i) => `sup_${String(i).padStart(3, "0")}`);
    await upsertCustomers(db, ids.map((id) => customer(id, { signupDate: "2025-06-01" })), {
      now: daysAgo(400),
    });
    // Signals reach back over a year, so both snapshot dates (90 and 120 days ago) see 90 days.
    await ingestEvents(db, ids.map((id) => usageEvent(id, "login", daysAgo(300))), {
      now: NOW,
      limits,
    });
    // sup_000–019 churn 100 days ago (between the snapshots); sup_020–039 50 days ago.
    await db.query("update customers set churned_at = $1 where id = any($2::text[])", [
      daysAgo(100),
      ids.slice(0, 20),
    ]);
    await db.query("update customers set churned_at = $1 where id = any($2::text[])", [
      daysAgo(50),
      ids.slice(20, 40),
    ]);
    // A login after the older snapshot must not show in its features.
    await ingestEvents(db, [usageEvent("sup_050", "login", daysAgo(110))], { now: NOW, limits });

    const set = await buildTrainingSet(db, {
      asOf: NOW,
      horizonDays: 90,
      snapshots: 2,
      everyDays: 30,
      batchSize: 50,
    });
    // At UTC midnight (NOW is noon): the features' day windows end exactly there.
    assertEquals(set.snapshotDates, [daysAgo(120.5).toISOString(), daysAgo(90.5).toISOString()]);
    // 120 days ago: everyone active; both churn groups churn within 90 days after it.
    // 90 days ago: sup_000–019 are gone; sup_020–039 churn within the horizon.
    assertEquals(set.rows, 120 + 100);
    const label = (snapshot: number, id: string) => {
      const offset = snapshot === 0 ? 0 : 120;
      return set.labels[offset + set.customerIds.slice(offset).indexOf(id)];
    };
    assertEquals([label(0, "sup_000"), label(0, "sup_030"), label(0, "sup_090")], [1, 1, 0]);
    assertEquals([label(1, "sup_030"), label(1, "sup_090")], [1, 0]);
    assert(!set.customerIds.slice(120).includes("sup_000"), "churned customers are not snapshot");
    const width = churnFeatureNames.length;
    const logins30 = churnFeatureNames.indexOf("logins_30d");
    const at = (row: number) => set.values[row * width + logins30];
    assertEquals(at(set.customerIds.indexOf("sup_050")), 0); // the later login is unseen at -120
    assertEquals(at(120 + set.customerIds.slice(120).indexOf("sup_050")), 1);
    // A customer is on one side of the split in every snapshot.
    for (const [r, id] of set.customerIds.entries()) {
      assertEquals(set.testMask[r], inTestSplit(id) ? 1 : 0);
    }
  });
});

Deno.test("too little history is refused with what to do", async () => {
  await withTestDb(async (db) => {
    await installDefaults(db);
    await upsertCustomers(db, [customer("sup_a")], { now: NOW });
    await ingestEvents(db, [usageEvent("sup_a", "login", daysAgo(10))], { now: NOW, limits });
    const error = await assertRejects(
      () =>
        buildTrainingSet(db, {
          asOf: NOW,
          horizonDays: 90,
          snapshots: 3,
          everyDays: 30,
          batchSize: 50,
        }),
      EngineError,
    );
    assertEquals(error.code, "MODEL_TRAINING_DATA_INSUFFICIENT");
    assert(error.message.includes("shorter --horizon"), error.message);
  });
});
