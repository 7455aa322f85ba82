import { assertEquals } from "../../helpers/assert.ts";
import { withTestDb } from "../../helpers/db.ts";
import { movableClock, NOW } from "../../helpers/fixtures.ts";
import { createToken, getToken, TokenVerifier } from "../../../engine/access/mod.ts";

Deno.test("a token's last use is recorded, at most once a minute", async () => {
  await withTestDb(async (db) => {
    const clock = movableClock(NOW);
    const errors: unknown[] = [];
    const { token, info } = await createToken(db, { name: "crm", role: "success-analyst" }, {
      actor: "test",
      now: NOW,
    });
    // No cache: every verification records its use.
    const verifier = new TokenVerifier({
      db,
      clock,
      cacheSeconds: 0,
      onError: (error) => errors.push(error),
    });
    const lastUse = async () => {
      // The write is not awaited by verify(): give it its turn.
      await new Promise((resolve) => setTimeout(resolve, 100));
      return (await getToken(db, info.id, clock.now())).lastUsedAt;
    };

    await verifier.verify(token);
    assertEquals(await lastUse(), NOW.toISOString());
    clock.advance(30_000);
    await verifier.verify(token);
    assertEquals(await lastUse(), NOW.toISOString());
    clock.advance(60_000);
    await verifier.verify(token);
    assertEquals(await lastUse(), new Date(NOW.getTime() + 90_000).toISOString());
    assertEquals(errors, []);
  });
});
