/** The endpoints check: any answer below 500 is reachable; refused, 5xx and silence are not. */
import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { loadConfig } from "../../../engine/config.ts";
import { endpointsValidation } from "../../../engine/ops/validation_endpoints.ts";

/** A loopback port nothing listens on: bound, then closed again. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** The check reads only the configuration and the timeout. */
function context(env: Record<string, string>, endpointTimeoutMs = 1_000) {
  return { config: loadConfig(env), endpointTimeoutMs };
}

Deno.test("endpointsValidation passes servers that answer (even 404) and WebSockets that open", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    if (request.headers.get("upgrade") === "websocket") {
      return Deno.upgradeWebSocket(request).response;
    }
    return new Response(null, { status: request.method === "HEAD" ? 404 : 405 });
  });
  const base = `127.0.0.1:${server.addr.port}`;
  try {
    const result = await endpointsValidation(context({
      VIRAL_API_ENDPOINT: `http://${base}/viral`,
      MARKETING_API_ENDPOINT: `http://${base}/marketing`,
      DASHBOARD_WS_ENDPOINT: `ws://${base}/ws`,
    }));
    assertEquals(result, {
      status: "pass",
      message: "3 reachable: VIRAL_API_ENDPOINT, MARKETING_API_ENDPOINT, DASHBOARD_WS_ENDPOINT",
      fix: null,
    });
  } finally {
    await server.shutdown();
  }
});

Deno.test("endpointsValidation fails a closed port, a 5xx and a WebSocket that cannot connect", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response(null, { status: 503 }),
  );
  const closed = closedPort();
  try {
    const result = await endpointsValidation(context({
      VIRAL_API_ENDPOINT: `http://127.0.0.1:${closed}/viral`,
      OFFLINE_SYNC_ENDPOINT: `http://127.0.0.1:${server.addr.port}/sync`,
      DASHBOARD_WS_ENDPOINT: `ws://127.0.0.1:${closed}/ws`,
    }));
    assertEquals(result.status, "fail");
    assertMatch(
      result.message,
      /VIRAL_API_ENDPOINT \(http:\/\/127\.0\.0\.1:\d+\/viral\) cannot connect/,
    );
    assertMatch(result.message, /OFFLINE_SYNC_ENDPOINT \(.*\) answered 503/);
    assertMatch(
      result.message,
      /DASHBOARD_WS_ENDPOINT \(ws:\/\/127\.0\.0\.1:\d+\/ws\) cannot connect/,
    );
    assert(result.fix?.startsWith("Check the URL"));
  } finally {
    await server.shutdown();
  }
});

Deno.test("endpointsValidation is skipped when no endpoint is set", async () => {
  const result = await endpointsValidation(context({}));
  assertEquals(result, { status: "skip", message: "No integration endpoint is set", fix: null });
});
