import { assert, assertEquals } from "../../helpers/assert.ts";
import { backend, withTestDb } from "../../helpers/db.ts";
import { customer, daysAgo, installDefaults, NOW, usageEvent } from "../../helpers/fixtures.ts";
import type { Queryable } from "../../../engine/db/mod.ts";
import {
  ensurePartitionsFor,
  ingestEvents,
  refreshDailyUsage,
  upsertCustomers,
} from "../../../engine/signals/mod.ts";

const limits = { futureToleranceSeconds: 300, retentionDays: 730 };

async function days(db: Queryable) {
  return await db.query<Record<string, unknown>>(
    `select customer_id, day::text as day, events, logins, features_used, tickets_opened,
       last_event_at, (nps_key % 16)::int as nps
     from usage_daily order by customer_id, day`,
  );
}

Deno.test("refreshDailyUsage() counts each event once, on its day, late ones included", async () => {
  await withTestDb(async (db) => {
    await installDefaults(db);
    await upsertCustomers(db, [customer("sup_a"), customer("sup_b")], { now: daysAgo(100) });
    await ingestEvents(db, [
      usageEvent("sup_a", "login", daysAgo(2)),
      usageEvent("sup_a", "login", daysAgo(2.1)),
      usageEvent("sup_a", "nps_submitted", daysAgo(2.2), { score: 3 }),
      usageEvent("sup_b", "feature_used", daysAgo(40), { feature: "forms" }),
    ], { now: NOW, limits });

    const first = await refreshDailyUsage(db);
    assertEquals([first.backfill, first.events], [true, 4]);
    assertEquals(await days(db), [
      {
        customer_id: "sup_a",
        day: "2026-06-13",
        events: 3,
        logins: 2,
        features_used: 0,
        tickets_opened: 0,
        last_event_at: daysAgo(2),
        nps: 3,
      },
      {
        customer_id: "sup_b",
        day: "2026-05-06",
        events: 1,
        logins: 0,
        features_used: 1,
        tickets_opened: 0,
        last_event_at: daysAgo(40),
        nps: null,
      },
    ]);

    // New events on a known day (an offline client's, received late), on a new day, and a
    // later NPS answer on the same day: added, not recounted.
    await ingestEvents(db, [
      usageEvent("sup_a", "login", daysAgo(1.9)),
      usageEvent("sup_a", "nps_submitted", daysAgo(1.95), { score: 8 }),
      usageEvent("sup_b", "support_ticket_opened", daysAgo(39.9)),
      usageEvent("sup_b", "login", daysAgo(1)),
    ], { now: NOW, limits });
    // Received in the same instant as the refresh starts would be counted next time, never lost.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await refreshDailyUsage(db);
    assertEquals([second.backfill, second.events], [false, 4]);
    assertEquals(
      (await days(db)).map((d) => [d.customer_id, d.day, d.events, d.logins, d.nps]),
      [
        ["sup_a", "2026-06-13", 5, 3, 8],
        ["sup_b", "2026-05-06", 2, 0, null],
        ["sup_b", "2026-06-14", 1, 1, null],
      ],
    );
    const third = await refreshDailyUsage(db);
    assertEquals(third.events, 0);
    assertEquals((await days(db)).map((d) => d.events), [5, 2, 1]);
  });
});

Deno.test({
  name: "refreshDailyUsage() leaves events of a transaction still open for the next refresh",
  // The embedded database runs one transaction at a time: nothing else can be open.
  ignore: backend !== "postgres",
  fn: async () => {
    await withTestDb(async (db) => {
      await installDefaults(db);
      await upsertCustomers(db, [customer("sup_a")], { now: daysAgo(100) });
      await refreshDailyUsage(db);
      await ensurePartitionsFor(db, [daysAgo(3)]);
      let release!: () => void;
      const held = new Promise<void>((resolve) => release = resolve);
      let inserted!: () => void;
      const insertedSignal = new Promise<void>((resolve) => inserted = resolve);
      // An ingest-like transaction that started first and commits after the refresh read.
      const open = db.transaction(async (tx) => {
        await tx.query(
          `insert into usage_events (event_id, customer_id, type, occurred_at)
           values ('slow-1', 'sup_a', 'login', $1)`,
          [daysAgo(3)],
        );
        inserted();
        await held;
      });
      await insertedSignal;
      await ingestEvents(db, [usageEvent("sup_a", "login", daysAgo(3))], { now: NOW, limits });
      const during = await refreshDailyUsage(db);
      // The committed batch started after the open transaction: it waits too.
      assertEquals(during.events, 0);
      release();
      await open;
      const after = await refreshDailyUsage(db);
      assertEquals(after.events, 2);
      const [row] = await days(db);
      assertEquals([row?.events, row?.logins], [2, 2]);
      assert((await refreshDailyUsage(db)).events === 0, "nothing is counted twice");
    });
  },
});
