/** Lifecycle: the phase only moves forward; drain waits for requests until they are delivered. */
import { assertEquals } from "../../helpers/assert.ts";
import { Lifecycle } from "../../../engine/ops/mod.ts";

Deno.test("Lifecycle moves starting → ready → stopping and never back", () => {
  const lifecycle = new Lifecycle();
  assertEquals(lifecycle.phase, "starting");
  lifecycle.ready();
  assertEquals(lifecycle.phase, "ready");
  lifecycle.stopping();
  lifecycle.ready();
  assertEquals(lifecycle.phase, "stopping");
});

Deno.test("Lifecycle.drain() waits for the request in flight and refuses new ones meanwhile", async () => {
  const lifecycle = new Lifecycle();
  const { promise: release, resolve: answer } = Promise.withResolvers<void>();
  const handler = lifecycle.track(async (request) => {
    if (new URL(request.url).pathname === "/slow") await release;
    return new Response("done");
  }, () => new Response("refused", { status: 503 }));
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  const url = `http://127.0.0.1:${server.addr.port}`;
  try {
    const slow = fetch(`${url}/slow`);
    while (lifecycle.inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    let drained = false;
    const draining = lifecycle.drain().then(() => drained = true);
    const refused = await fetch(`${url}/other`);
    assertEquals([refused.status, await refused.text()], [503, "refused"]);
    assertEquals(drained, false);
    answer();
    assertEquals(await (await slow).text(), "done");
    await draining;
    assertEquals([drained, lifecycle.inFlight, lifecycle.phase], [true, 0, "draining"]);
  } finally {
    await server.shutdown();
  }
});
