import { assert, assertEquals, assertRejects } from "../../helpers/assert.ts";
import type { Db } from "../../../engine/db/mod.ts";
import { seedDemoData, type SeedOptions } from "../../../engine/demo/mod.ts";
import { EngineError } from "../../../engine/errors.ts";
import { sha256Hex } from "../../../engine/hash.ts";
import { openCustomerRows, openEventProperties } from "../../../engine/signals/mod.ts";
import { withTestDb } from "../../helpers/db.ts";
import { installDefaults } from "../../helpers/fixtures.ts";

const options: SeedOptions = {
  customers: 300,
  days: 120,
  seed: 7,
  asOf: new Date("2026-09-01T00:00:00Z"),
  historyWeeks: 2,
  scoring: { batchSize: 100, concurrency: 2, changeThreshold: 5 },
};

/**
 * A digest of everything seeded, to compare two runs. Names and free-text
 * properties are stored encrypted (a random IV each time), so they are
 * compared decrypted.
 */
async function fingerprint(db: Db): Promise<string> {
  const [row] = await db.query<{ digest: string }>(
    `select md5(
       (select string_agg(id || vendor_type || plan || mrr || country || time_zone || signup_date
          || coalesce(churned_at::text, '-'), ',' order by id) from customers)
       || (select string_agg(event_id || type || occurred_at::text, ',' order by event_id)
          from usage_events)
       || (select string_agg(customer_id || score || at_risk_score || scored_at::text, ',' order by customer_id, scored_at)
          from customer_health)) as digest`,
  );
  const customers = await openCustomerRows(
    await db.query<{ id: string; name: string; attributes: Record<string, unknown> }>(
      "select id, name, attributes from customers order by id",
    ),
  );
  const events = await db.query<{ properties: Record<string, unknown> }>(
    "select properties from usage_events order by event_id",
  );
  const properties = await Promise.all(events.map((e) => openEventProperties(e.properties)));
  return await sha256Hex(JSON.stringify([row!.digest, customers, properties]));
}

Deno.test("seedDemoData() is reproducible: the same seed and date give the same data", async () => {
  const digests: string[] = [];
  for (const seed of [7, 7, 8]) {
    await withTestDb(async (db) => {
      await installDefaults(db);
      await seedDemoData(db, { ...options, seed, customers: 120, days: 60, historyWeeks: 1 });
      digests.push(await fingerprint(db));
    });
  }
  assertEquals(digests[0], digests[1]);
  assert(digests[0] !== digests[2], "another seed gives other data");
});

Deno.test("seedDemoData() makes a plausible population of wedding suppliers", async () => {
  await withTestDb(async (db) => {
    await installDefaults(db);
    const result = await seedDemoData(db, options);
    assertEquals(result.customers, 300);
    const churnShare = result.churned / result.customers;
    assert(churnShare > 0.05 && churnShare < 0.4, `churned share ${churnShare}`);
    const [mix] = await db.query<{ kinds: number; countries: number; plans: number }>(
      `select count(distinct vendor_type)::int as kinds, count(distinct country)::int as countries,
         count(distinct plan)::int as plans from customers`,
    );
    assert(mix!.kinds >= 8 && mix!.countries >= 5 && mix!.plans === 3, JSON.stringify(mix));

    // Churned suppliers fade out: their last 30 days before churn are quieter than the 30 before.
    const [fade] = await db.query<{ before: number; last: number }>(
      `select count(*) filter (where e.occurred_at between c.churned_at - interval '60 days'
                                                     and c.churned_at - interval '30 days')::int as before,
              count(*) filter (where e.occurred_at > c.churned_at - interval '30 days')::int as last
       from customers c join usage_events e on e.customer_id = c.id and e.type = 'login'
       where c.churned_at > $1::timestamptz - interval '60 days'`,
      [options.asOf],
    );
    assert(
      fade!.last < fade!.before * 0.6,
      `logins before ${fade!.before}, last month ${fade!.last}`,
    );

    const [health] = await db.query<{ scored: number; milestones: number }>(
      `select (select count(*)::int from customer_health_latest where scored_at = $1) as scored,
              (select count(*)::int from success_milestones where achieved) as milestones`,
      [options.asOf],
    );
    assertEquals(health!.scored, result.customers - result.churned);
    assert(health!.milestones > result.customers, "most suppliers reached several milestones");
  });
});

Deno.test("seedDemoData() follows the wedding season: northern suppliers work more in summer", async () => {
  await withTestDb(async (db) => {
    await installDefaults(db);
    const asOf = new Date("2027-01-15T00:00:00Z");
    await seedDemoData(db, { ...options, customers: 150, days: 365, asOf, historyWeeks: 0 });
    const [season] = await db.query<{ summer: number; winter: number }>(
      `select count(*) filter (where e.occurred_at >= '2026-06-01' and e.occurred_at < '2026-08-01')::int as summer,
              count(*) filter (where e.occurred_at >= '2025-11-01' and e.occurred_at < '2026-01-01')::int as winter
       from usage_events e join customers c on c.id = e.customer_id
       where e.type = 'login' and c.country in ('GB', 'US', 'IE', 'CA', 'FR', 'ES', 'IT')
         and c.churned_at is null and c.signup_date < '2025-11-01'`,
    );
    assert(season!.summer > season!.winter * 1.3, JSON.stringify(season));
  });
});

Deno.test("seedDemoData() refuses a database that has customers unless reset", async () => {
  await withTestDb(async (db) => {
    await installDefaults(db);
    await seedDemoData(db, { ...options, customers: 20, historyWeeks: 0 });
    const error = await assertRejects(
      () => seedDemoData(db, { ...options, customers: 20, historyWeeks: 0 }),
      EngineError,
    );
    assertEquals(error.code, "DATABASE_NOT_EMPTY");
    const again = await seedDemoData(db, {
      ...options,
      customers: 30,
      historyWeeks: 0,
      reset: true,
    });
    assertEquals(again.customers, 30);
    const [row] = await db.query<{ n: number }>("select count(*)::int as n from customers");
    assertEquals(row!.n, 30);
  });
});
