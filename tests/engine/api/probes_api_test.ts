/** Liveness and readiness: public, separate, and readiness follows the engine's phase. */
import { assertEquals, assertMatch } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";
import { Lifecycle } from "../../../engine/ops/mod.ts";

Deno.test("GET .../health/live answers 200 without a token", async () => {
  await withApi(async (api) => {
    const live = await api.call("GET", "/api/customer-success/health/live", undefined, {
      authorization: "",
    });
    assertEquals([live.status, live.body.status], [200, "alive"]);
    assertEquals(live.headers.get("cache-control"), "no-store");
  });
});

Deno.test("GET .../health/ready is 503 while starting, 200 once ready, 503 from stopping on", async () => {
  const lifecycle = new Lifecycle();
  await withApi(async (api) => {
    const ready = () =>
      api.call("GET", "/api/customer-success/health/ready", undefined, { authorization: "" });
    const starting = await ready();
    assertEquals([starting.status, starting.body.status], [503, "starting"]);
    lifecycle.ready();
    const up = await ready();
    assertEquals([up.status, up.body], [200, {
      status: "ready",
      reasons: [],
      checkedAt: up.body.checkedAt,
    }]);
    lifecycle.stopping();
    lifecycle.ready(); // Stopping is for good.
    const stopping = await ready();
    assertEquals([stopping.status, stopping.body.status], [503, "stopping"]);
    // Liveness does not follow: a stopping engine is alive until it exits.
    const live = await api.call("GET", "/api/customer-success/health/live");
    assertEquals(live.status, 200);
  }, { lifecycle });
});

Deno.test("GET .../health/ready is 503 naming the pending migration; liveness stays 200", async () => {
  await withApi(async (api) => {
    await api.db.exec(
      "delete from schema_migrations where version = (select max(version) from schema_migrations)",
    );
    const ready = await api.call("GET", "/api/customer-success/health/ready");
    assertEquals([ready.status, ready.body.status], [503, "not-ready"]);
    assertMatch(
      ready.body.reasons[0],
      /^Schema version \d+, this engine needs \d+: run deno task migrate$/,
    );
    const live = await api.call("GET", "/api/customer-success/health/live");
    assertEquals(live.status, 200);
  });
});
