import { assertEquals, assertMatch } from "../../../helpers/assert.ts";
import { startFixture } from "./helpers.ts";

Deno.test("a sandboxed plugin's routes answer through fetch with their status, headers and JSON body", async () => {
  const { plugin, lines } = await startFixture("probe");
  try {
    const response = await plugin.fetch(
      new Request("http://engine.test/plugins/probe/echo?q=bookings", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ items: ["venue", "florist"], note: "Crème brûlée 🎂" }),
      }),
    );
    assertEquals(response.status, 201);
    assertEquals(response.headers.get("x-plugin"), "probe@1.0.0");
    assertMatch(response.headers.get("content-type") ?? "", /^application\/json/);
    assertEquals(await response.json(), {
      received: { items: ["venue", "florist"], note: "Crème brûlée 🎂" },
      query: "bookings",
    });
    // What the route logged reaches the engine's log, with the plugin's name.
    const logged = lines.find((line) => line.message === "echoing");
    assertEquals([logged?.plugin, logged?.items, logged?.level], ["probe", 2, "info"]);
  } finally {
    await plugin.stop();
  }
});

Deno.test("a sandboxed plugin's unknown route is Hono's 404, and a plugin without routes answers 404", async () => {
  const { plugin: probe } = await startFixture("probe");
  const { plugin: steady } = await startFixture("steady");
  try {
    const missing = await probe.fetch(new Request("http://engine.test/plugins/probe/nothing-here"));
    assertEquals(missing.status, 404);
    await missing.body?.cancel();
    const none = await steady.fetch(new Request("http://engine.test/plugins/steady/anything"));
    assertEquals(none.status, 404);
    assertEquals(await none.json(), {
      title: "No such route",
      detail: 'Plugin "steady" has no routes',
    });
  } finally {
    await probe.stop();
    await steady.stop();
  }
});

Deno.test("a WebSocket upgrade to a sandboxed plugin is refused: a sandbox has no WebSockets", async () => {
  const { plugin } = await startFixture("probe");
  try {
    const response = await plugin.fetch(
      new Request("http://engine.test/plugins/probe/live", { headers: { upgrade: "websocket" } }),
    );
    assertEquals(response.status, 501);
    assertEquals(
      (await response.json()).detail,
      'Plugin "probe" runs in a sandbox, where WebSockets are not available',
    );
  } finally {
    await plugin.stop();
  }
});

Deno.test("a sandboxed plugin's route sees the caller the engine checked, through requestActor()", async () => {
  const { plugin } = await startFixture("probe");
  try {
    const response = await plugin.fetch(
      new Request("http://engine.test/plugins/probe/whoami", {
        headers: { "x-actor-id": "tok_42", "x-actor-role": "success-manager" },
      }),
    );
    assertEquals(await response.json(), { id: "tok_42", role: "success-manager" });
  } finally {
    await plugin.stop();
  }
});
