import { assertEquals, assertMatch } from "../../helpers/assert.ts";
import { withTestDb } from "../../helpers/db.ts";
import { NOW } from "../../helpers/fixtures.ts";
import { silentLogger } from "../../../engine/log.ts";
import { ensureAdminAccess, listTokens, revokeToken } from "../../../engine/access/mod.ts";

const INIT = "init-admin-token-for-automation-0123456789";

Deno.test("ensureAdminAccess() makes a first admin token once, shown once", async () => {
  await withTestDb(async (db) => {
    const first = await ensureAdminAccess(db, {
      initAdminToken: undefined,
      now: NOW,
      log: silentLogger,
    });
    assertMatch(first.newSecret ?? "", /^cse_/);
    const again = await ensureAdminAccess(db, {
      initAdminToken: undefined,
      now: NOW,
      log: silentLogger,
    });
    assertEquals(again.newSecret, null);
    const { tokens } = await listTokens(db, { limit: 10 }, NOW);
    assertEquals(tokens.map((t) => [t.name, t.role, t.createdBy]), [[
      "first-admin",
      "admin",
      "system",
    ]]);
  });
});

Deno.test("INIT_ADMIN_TOKEN is created once, and a revoked one stays revoked", async () => {
  await withTestDb(async (db) => {
    const options = { initAdminToken: INIT, now: NOW, log: silentLogger };
    assertEquals((await ensureAdminAccess(db, options)).newSecret, null);
    await ensureAdminAccess(db, options);
    const { tokens } = await listTokens(db, { limit: 10 }, NOW);
    assertEquals(tokens.map((t) => [t.name, t.status]), [["init-admin", "active"]]);
    await revokeToken(db, tokens[0]!.id, { actor: "test", now: NOW });
    await ensureAdminAccess(db, options);
    const after = await listTokens(db, { limit: 10 }, NOW);
    assertEquals(after.tokens.map((t) => [t.name, t.status]), [["init-admin", "revoked"]]);
  });
});
