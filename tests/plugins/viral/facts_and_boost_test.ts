import { assert, assertEquals, assertMatch, assertRejects } from "../../helpers/assert.ts";
import type { Db } from "../../../engine/db/mod.ts";
import { EngineError } from "../../../engine/errors.ts";
import {
  getCustomerHealth,
  grantHealthBoosts,
  healthModelSchema,
  scoreAllCustomers,
} from "../../../engine/health/mod.ts";
import { withTestDb } from "../../helpers/db.ts";
import { daysAgo, NOW } from "../../helpers/fixtures.ts";
import { postReferrals, startViral, withCustomers } from "./viral_helpers.ts";

const iso = (date: Date) => date.toISOString();
const DAY_MS = 86_400_000;

/** A referral by `referrerId` made `madeDaysAgo`, converted `convertedDaysAgo` if given. */
function referral(id: string, referrerId: string, madeDaysAgo: number, convertedDaysAgo?: number) {
  return {
    id,
    referrerId,
    kind: "supplier_invited",
    occurredAt: iso(daysAgo(madeDaysAgo)),
    ...(convertedDaysAgo === undefined ? {} : {
      outcome: { status: "converted", customerId: `new_${id}`, at: iso(daysAgo(convertedDaysAgo)) },
    }),
  };
}

/** The Db, counting the statements sent through it. */
function counting(db: Db): { db: Db; statements: () => number } {
  let statements = 0;
  const proxy = new Proxy(db, {
    get(target, key) {
      const value = Reflect.get(target, key);
      if (key === "query") {
        return (...args: Parameters<Db["query"]>) => {
          statements++;
          return target.query(...args);
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db: proxy, statements: () => statements };
}

Deno.test("viral facts: referrals sent in 30 days and conversions in 90, for a batch at its as-of time", async () => {
  await withTestDb(async (db) => {
    await withCustomers(db, ["sup_a", "sup_b", "sup_c"]);
    const { db: counted, statements } = counting(db);
    const run = await startViral(counted, { config: { boostPoints: 0 } });
    try {
      const response = await postReferrals(run, [
        referral("r1", "sup_a", 3),
        referral("r2", "sup_a", 29, 20),
        referral("r3", "sup_a", 31, 25),
        referral("r4", "sup_a", 200, 95),
        referral("r5", "sup_b", 10, 1),
        // Exactly 30 days before: outside the window, which is (asOf − 30 days, asOf].
        referral("r6", "sup_c", 30),
      ]);
      assertEquals((await response.json()).accepted, 6);

      const before = statements();
      const ids = ["sup_a", "sup_b", "sup_c", "sup_unknown"];
      assertEquals(await run.plugin.facts(ids, NOW), {
        sup_a: { referrals_sent_30d: 2, viral_coefficient: 2 },
        sup_b: { referrals_sent_30d: 1, viral_coefficient: 1 },
        sup_c: { referrals_sent_30d: 0, viral_coefficient: 0 },
        sup_unknown: { referrals_sent_30d: 0, viral_coefficient: 0 },
      });
      assertEquals(statements() - before, 1, "one statement for the whole batch");

      // 15 days earlier, r1 and r5 had not happened and r4's conversion was within 90 days.
      assertEquals(await run.plugin.facts(["sup_a", "sup_b"], daysAgo(15)), {
        sup_a: { referrals_sent_30d: 2, viral_coefficient: 3 },
        sup_b: { referrals_sent_30d: 0, viral_coefficient: 0 },
      });

      const many = Array.from({ length: 2_000 }, (_, i) => `sup_${i}`);
      const before2 = statements();
      const values = await run.plugin.facts(many, NOW);
      assertEquals(Object.keys(values).length, 2_000);
      assertEquals(statements() - before2, 1);
    } finally {
      await run.stop();
    }
  });
});

Deno.test("health boost: converted referrals raise the referrer's score as a `boost` component, capped", async () => {
  await withTestDb(async (db) => {
    await withCustomers(db, ["sup_a", "sup_b"]);
    const run = await startViral(db);
    try {
      // Three conversions within 90 days (5 points each, 15 in all) and one older.
      await postReferrals(run, [
        referral("r1", "sup_a", 40, 10),
        referral("r2", "sup_a", 40, 20),
        referral("r3", "sup_a", 40, 30),
        referral("r4", "sup_a", 140, 100),
      ]);
    } finally {
      await run.stop();
    }
    const options = { batchSize: 100, changeThreshold: 5 };
    await scoreAllCustomers(db, { ...options, asOf: NOW });

    // Without events both score 30 (support and billing are clean); sup_a gets 10 more, the cap.
    const a = await getCustomerHealth(db, "sup_a", { historyDays: 90 });
    assertEquals(a.latest?.score, 40);
    assertEquals(a.latest?.components.boost, { score: 10, value: 15, weight: 0 });
    const b = await getCustomerHealth(db, "sup_b", { historyDays: 90 });
    assertEquals(b.latest?.score, 30);
    assertEquals(Object.keys(b.latest!.components).sort(), [
      "adoption",
      "billing",
      "engagement",
      "milestones",
      "support",
    ]);

    // A lower cap, from HEALTH_BOOST_MAX_POINTS.
    await scoreAllCustomers(db, {
      ...options,
      asOf: new Date(NOW.getTime() + 3_600_000),
      boostMaxPoints: 4,
    });
    assertEquals((await getCustomerHealth(db, "sup_a", { historyDays: 90 })).latest?.score, 34);

    // 75 days on, only the conversion of 10 days ago (85 days old then) still counts.
    await scoreAllCustomers(db, { ...options, asOf: new Date(NOW.getTime() + 75 * DAY_MS) });
    const later = await getCustomerHealth(db, "sup_a", { historyDays: 90 });
    assertEquals(later.latest?.score, 35);
    assertEquals(later.latest?.components.boost, { score: 5, value: 5, weight: 0 });

    // 95 days on, no boost is valid: the component is gone and the score is the model's alone.
    await scoreAllCustomers(db, { ...options, asOf: new Date(NOW.getTime() + 95 * DAY_MS) });
    const expired = await getCustomerHealth(db, "sup_a", { historyDays: 90 });
    assertEquals(expired.latest?.score, 30);
    assertEquals(expired.latest?.components.boost, undefined);
  });
});

Deno.test("health boosts keep the score at most 100, and any source can grant them", async () => {
  await withTestDb(async (db) => {
    await withCustomers(db, ["sup_a"]);
    // A model every customer without tickets scores 100 in.
    const model = healthModelSchema.parse({
      version: "calm-1",
      components: [{
        key: "support",
        label: "Support load",
        weight: 1,
        measure: { kind: "event_count", events: ["support_ticket_opened"], windowDays: 30 },
        scale: { kind: "penalty", worst: 4 },
      }],
      atRisk: {
        lowHealth: 1,
        decline: 0,
        inactivity: 0,
        declineDays: 30,
        declineFullPoints: 30,
        inactivityDays: 14,
      },
    });
    await grantHealthBoosts(db, [{
      source: "crm-sync",
      key: "renewal-2026",
      customerId: "sup_a",
      points: 7.5,
      reason: "Renewed early",
      validFrom: daysAgo(1),
      validUntil: daysAgo(-30),
    }]);
    await scoreAllCustomers(db, { model, asOf: NOW, batchSize: 10, changeThreshold: 5 });
    const health = await getCustomerHealth(db, "sup_a", { historyDays: 90 });
    assertEquals(health.latest?.score, 100);
    assertEquals(health.latest?.components.boost, { score: 0, value: 7.5, weight: 0 });

    const unknown = await assertRejects(
      () =>
        grantHealthBoosts(db, [{
          source: "crm-sync",
          key: "k",
          customerId: "sup_ghost",
          points: 1,
          reason: "r",
          validFrom: NOW,
          validUntil: daysAgo(-1),
        }]),
      EngineError,
    );
    assertEquals(unknown.code, "CUSTOMER_NOT_FOUND");
    assertMatch(unknown.message, /"sup_ghost": no such customer/);
    const backwards = await assertRejects(
      () =>
        grantHealthBoosts(db, [{
          source: "crm-sync",
          key: "k",
          customerId: "sup_a",
          points: 1,
          reason: "r",
          validFrom: NOW,
          validUntil: daysAgo(1),
        }]),
      EngineError,
    );
    assertEquals(backwards.issues[0]?.path, "[0].validUntil");

    const reserved = healthModelSchema.safeParse({
      ...model,
      components: [{ ...model.components[0], key: "boost" }],
    });
    assert(!reserved.success);
    assertMatch(reserved.error.issues[0]!.message, /"boost" is reserved for health boosts/);
  });
});
