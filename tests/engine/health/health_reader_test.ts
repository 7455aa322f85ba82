import { assertEquals } from "../../helpers/assert.ts";
import type { Queryable } from "../../../engine/db/mod.ts";
import { EngineError } from "../../../engine/errors.ts";
import {
  CustomerHealthReader,
  getCustomerHealth,
  scoreAllCustomers,
} from "../../../engine/health/mod.ts";
import { ingestEvents, upsertCustomers } from "../../../engine/signals/mod.ts";
import { customerHealthSchema } from "../../../engine/api/schemas.ts";
import { withTestDb } from "../../helpers/db.ts";
import { customer, daysAgo, installDefaults, NOW, usageEvent } from "../../helpers/fixtures.ts";

Deno.test("concurrent health reads share statements and each gets its own customer's health", async () => {
  await withTestDb(async (db) => {
    await installDefaults(db);
    const ids = Array.from({ length: 12 }, (_, i) => `sup_${String(i).padStart(2, "0")}`);
    await upsertCustomers(db, ids.map((id) => customer(id)), { now: NOW });
    // Different activity, so every scored customer has a different health.
    await ingestEvents(
      db,
      ids.flatMap((id, i) =>
        Array.from({ length: i }, (_, d) => usageEvent(id, "login", daysAgo(d + 1)))
      ),
      { now: NOW, limits: { futureToleranceSeconds: 300, retentionDays: 730 } },
    );
    await scoreAllCustomers(db, { asOf: NOW, batchSize: 100, changeThreshold: 5 });
    await scoreAllCustomers(db, {
      asOf: new Date(NOW.getTime() + 8 * 86_400_000),
      batchSize: 100,
      changeThreshold: 5,
    });
    // Created after the scorings: not scored yet.
    await upsertCustomers(db, [customer("sup_new")], { now: NOW });

    let statements = 0;
    const counted: Queryable = {
      query: (text, params, options) => {
        statements++;
        return db.query(text, params, options);
      },
      exec: (text) => db.exec(text),
    };
    const reader = new CustomerHealthReader(counted);
    const asked = [...ids, ...ids, "sup_new", "sup_unknown"];
    const answers = await Promise.allSettled(
      asked.map((id) => reader.readJson(id, { historyDays: 90 })),
    );

    // The first read went alone; every other waited for it and left in one more statement.
    assertEquals(statements, 2);
    for (const [i, id] of asked.entries()) {
      const answer = answers[i]!;
      if (id === "sup_unknown") {
        assertEquals(answer.status, "rejected");
        const error = (answer as PromiseRejectedResult).reason as EngineError;
        assertEquals(error.code, "CUSTOMER_NOT_FOUND");
        continue;
      }
      assertEquals(answer.status, "fulfilled");
      const health = customerHealthSchema.parse(
        JSON.parse((answer as PromiseFulfilledResult<string>).value),
      );
      assertEquals(health, await getCustomerHealth(db, id, { historyDays: 90 }));
      assertEquals(health.customerId, id);
      if (id === "sup_new") {
        assertEquals(health.latest, null);
        continue;
      }
      // Two scorings 8 days apart: the 7-day change is against the first.
      assertEquals(health.history.length, 2);
      assertEquals(health.latest?.scoredAt, "2026-06-23T12:00:00.000Z");
      const change = health.latest!.score - health.history[0]!.score;
      assertEquals(health.trend.change7d, Math.round(change * 100) / 100);
    }
  });
});
