/** INIT_ADMIN_EMAIL and INIT_ADMIN_PASSWORD: the console's admin for automation. */
import { assertEquals, assertMatch, assertThrows } from "../../helpers/assert.ts";
import { withConsole } from "../../helpers/console.ts";
import { ensureAdminUser, FIRST_ADMIN_EMAIL } from "../../../engine/access/mod.ts";
import { loadConfig } from "../../../engine/config.ts";
import { EngineError } from "../../../engine/errors.ts";
import { silentLogger } from "../../../engine/log.ts";

const EMAIL = "ops@example.com";
const INIT_PASSWORD = "deploy-time password 1";

Deno.test("INIT_ADMIN_EMAIL/PASSWORD: the start makes that admin once, who can sign in; a restart changes nothing", async () => {
  await withConsole(async (t) => {
    const config = loadConfig({ INIT_ADMIN_EMAIL: EMAIL, INIT_ADMIN_PASSWORD: INIT_PASSWORD });
    const start = () =>
      ensureAdminUser(t.api.db, {
        email: config.INIT_ADMIN_EMAIL,
        password: config.INIT_ADMIN_PASSWORD,
        now: t.clock.now(),
        log: silentLogger,
      });
    assertEquals(await start(), { outcome: "created" });
    const signedIn = await t.client().signIn(EMAIL, INIT_PASSWORD);
    assertEquals(signedIn.status, 303);
    const [user] = await t.api.db.query<{ role: string; created_by: string }>(
      "select role, created_by from users where email = $1",
      [EMAIL],
    );
    assertEquals([user!.role, user!.created_by], ["admin", "system"]);

    // Demoted in the console: a restart does not make them admin again.
    await t.api.db.query("update users set role = 'success-analyst' where email = $1", [EMAIL]);
    assertEquals(await start(), { outcome: "exists" });
    const [after] = await t.api.db.query<{ role: string }>(
      "select role from users where email = $1",
      [EMAIL],
    );
    assertEquals(after!.role, "success-analyst");
  });
});

Deno.test("INIT_ADMIN_EMAIL/PASSWORD: one without the other, or a short password, stops the start", () => {
  const alone = assertThrows(() => loadConfig({ INIT_ADMIN_EMAIL: EMAIL }), EngineError);
  assertEquals(alone.code, "CONFIG_INVALID");
  assertMatch(alone.issues[0]!.message, /INIT_ADMIN_EMAIL and INIT_ADMIN_PASSWORD go together/);
  const short = assertThrows(
    () => loadConfig({ INIT_ADMIN_EMAIL: EMAIL, INIT_ADMIN_PASSWORD: "short" }),
    EngineError,
  );
  assertEquals(short.issues.map((i) => i.path), ["INIT_ADMIN_PASSWORD"]);
  assertMatch(short.issues[0]!.message, /at least 12 characters/);
});

Deno.test("a first start without INIT_ADMIN_EMAIL makes one console admin, its password shown once", async () => {
  await withConsole(async (t) => {
    const start = () =>
      ensureAdminUser(t.api.db, {
        email: undefined,
        password: undefined,
        now: t.clock.now(),
        log: silentLogger,
      });
    const first = await start();
    if (first.outcome !== "first") throw new Error(`expected a first admin: ${first.outcome}`);
    assertEquals(first.email, FIRST_ADMIN_EMAIL);
    assertEquals(first.password.length, 20);
    assertEquals((await t.client().signIn(FIRST_ADMIN_EMAIL, first.password)).status, 303);
    // Once: a restart makes no other, nor does a database that has users.
    assertEquals(await start(), { outcome: "none" });
    const [count] = await t.api.db.query<{ n: number }>("select count(*)::int as n from users");
    assertEquals(count!.n, 1);
  });
});
