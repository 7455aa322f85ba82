import { assertEquals } from "../../helpers/assert.ts";
import { withConsole } from "../../helpers/console.ts";
import { sessionActorOfUpgrade } from "../../../engine/console/mod.ts";

Deno.test("a console session opens a plugin WebSocket only from a page of the same origin", async () => {
  await withConsole(async (t) => {
    const client = await t.signedIn("success-analyst", "ana@example.com");
    const session = client.cookies.get("cse_session")!;
    const deps = { db: t.api.db, clock: t.clock, config: t.api.config };
    const upgrade = (headers: Record<string, string>) =>
      sessionActorOfUpgrade(
        new Request(`${t.origin}/plugins/dashboard/ws`, {
          headers: { upgrade: "websocket", host: new URL(t.origin).host, ...headers },
        }),
        deps,
      );
    const cookie = `other=1; cse_session=${session}`;
    const actor = await upgrade({ cookie, origin: t.origin });
    assertEquals([actor?.role, actor?.id.endsWith("(ana@example.com)")], ["success-analyst", true]);
    // Another site's page: browsers send the cookie on a WebSocket handshake, never its Origin.
    assertEquals(await upgrade({ cookie, origin: "https://evil.example" }), null);
    assertEquals(await upgrade({ cookie }), null);
    assertEquals(await upgrade({ origin: t.origin }), null);
    assertEquals(await upgrade({ cookie: "cse_session=made-up", origin: t.origin }), null);
    // Not an upgrade: plugin routes other than WebSockets take API tokens only.
    const plain = new Request(`${t.origin}/plugins/dashboard/status`, {
      headers: { cookie, origin: t.origin, host: new URL(t.origin).host },
    });
    assertEquals(await sessionActorOfUpgrade(plain, deps), null);
    // Signed out: the session no longer opens anything.
    await client.post("/console/sign-out", {});
    assertEquals(await upgrade({ cookie, origin: t.origin }), null);
  });
});
