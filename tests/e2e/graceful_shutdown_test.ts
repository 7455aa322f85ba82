/**
 * A rolling update as a load balancer sees it: SIGTERM during a slow request
 * turns readiness to 503 at once, new requests are refused after the
 * shutdown delay, the request in flight still completes and is stored, and
 * the engine exits 0. Also `deno task validate` through the running
 * engine, which then sees its plugins.
 */
import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import { backend, createTestDbEnv, withDbAt } from "../helpers/db.ts";
import { customer } from "../helpers/fixtures.ts";
import { runScript, startEngine } from "../helpers/processes.ts";

const encoder = new TextEncoder();

Deno.test("SIGTERM during a slow request: readiness answers 503, the request completes, exit 0", async () => {
  const test = await createTestDbEnv();
  try {
    const engine = await startEngine({
      ...test.env,
      DEMO_DATA: "false",
      SHUTDOWN_DELAY_SECONDS: "1",
    });
    const ready = () => fetch(`${engine.url}/api/customer-success/health/ready`);
    const before = await ready();
    assertEquals([before.status, (await before.json()).status], [200, "ready"]);
    const { id, ...fields } = customer("sup_slow");
    const put = await engine.fetch(`/api/v1/customers/${id}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(fields),
    });
    assertEquals(put.status, 201, await put.text());

    // The slow request: its body arrives in two parts, the second after the shutdown began.
    const { promise: bodyDone, resolve: finishBody } = Promise.withResolvers<void>();
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(encoder.encode('{"events":[{"id":"evt_slow","customerId":"sup_slow",'));
        await bodyDone;
        controller.enqueue(encoder.encode('"type":"login","occurredAt":"2026-11-25T08:59:12Z"}]}'));
        controller.close();
      },
    });
    const slow = engine.fetch("/api/v1/events", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    await new Promise((resolve) => setTimeout(resolve, 300)); // The request is in the engine.

    const stopped = engine.stop("SIGTERM");
    let during = await ready();
    for (let i = 0; i < 50 && during.status === 200; i++) {
      await during.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, 20));
      during = await ready();
    }
    assertEquals([during.status, (await during.json()).status], [503, "stopping"]);
    const live = await fetch(`${engine.url}/api/customer-success/health/live`);
    assertEquals(live.status, 200, "alive while stopping");
    await live.body?.cancel();

    // Past the delay the engine refuses new requests, and waits for the one in flight.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const late = await fetch(`${engine.url}/api/customer-success/health/live`);
    assertEquals([late.status, (await late.json()).code], [503, "ENGINE_STOPPING"]);
    finishBody();
    const response = await slow;
    assertEquals(response.status, 200);
    assertEquals((await response.json()).accepted, 1);

    const result = await stopped;
    assertEquals(result.code, 0, result.stderr);
    assertMatch(result.stdout, /Stopped\./);
    const stored = await withDbAt(
      test.env,
      (db) => db.query("select 1 from usage_events where event_id = 'evt_slow'"),
    );
    assertEquals(stored.length, 1, "the event of the request in flight is stored");
  } finally {
    await test.drop();
  }
});

Deno.test("validate asks the running engine on the embedded database, and sees its plugins", async () => {
  if (backend === "postgres") return; // With PostgreSQL it checks the database directly (validate_test.ts).
  const test = await createTestDbEnv();
  try {
    const engine = await startEngine({ ...test.env, DEMO_DATA: "false" });
    try {
      const result = await runScript("cli/validate.ts", [], test.env);
      assertEquals(result.code, 1, result.stderr);
      assertMatch(result.stdout, /^\[ok\] {3}plugins: \d+ running: /m);
      // The engine's own configuration decides: it runs without PUBLIC_URL.
      assertMatch(result.stdout, /^\[FAIL\] configuration: PUBLIC_URL is http:\/\/127\.0\.0\.1:/m);
      assert(result.stdout.includes("NOT READY"));
    } finally {
      await engine.stop();
    }
  } finally {
    await test.drop();
  }
});
