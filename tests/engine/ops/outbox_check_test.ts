import { assertEquals, assertMatch } from "../../helpers/assert.ts";
import { withTestDb } from "../../helpers/db.ts";
import { installDefaults, NOW } from "../../helpers/fixtures.ts";
import { dueSends } from "../../helpers/interventions.ts";
import { outboxCheck } from "../../../engine/ops/health_checks_interventions.ts";

Deno.test("the outbox check: healthy while delivery keeps up, degraded when it lags or letters die", async () => {
  await withTestDb(async (db) => {
    await installDefaults(db);
    const check = outboxCheck(db, { INTERVENTION_SYSTEM_ENABLED: true });
    const at = (minutes: number) =>
      check.run({
        now: new Date(NOW.getTime() + minutes * 60_000),
        signal: new AbortController().signal,
      });
    assertEquals((await at(0)).message, "Nothing is waiting to be sent");
    await dueSends(db, 3);
    const fresh = await at(1);
    assertEquals([fresh.status, fresh.message], [
      "healthy",
      "3 sends are due, the oldest for 60 s",
    ]);
    const late = await at(20);
    assertEquals(late.status, "degraded");
    assertMatch(late.message, /^The oldest of 3 due sends has waited 20 min: delivery is behind/);
    await db.query(
      "update intervention_outbox set state = 'dead' where intervention_id in " +
        "(select intervention_id from intervention_outbox limit 2)",
    );
    const dead = await at(1);
    assertEquals([dead.status, dead.details?.deadLetters], ["degraded", 2]);
    assertMatch(dead.message, /2 sends are dead-lettered: .*POST \/api\/v1\/interventions\/replay/);
    const off = await outboxCheck(db, { INTERVENTION_SYSTEM_ENABLED: false }).run({
      now: NOW,
      signal: new AbortController().signal,
    });
    assertEquals(off.status, "healthy");
  });
});
