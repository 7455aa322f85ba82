import { assert, assertEquals, assertRejects } from "../../helpers/assert.ts";
import { offlinePlugin } from "./helpers.ts";
import { backend, withTestDb } from "../../helpers/db.ts";
import { DeliveryError } from "../../../engine/plugins/mod.ts";
import { startLoopbackPeer, startPluginForTest } from "../../../engine/plugins/testing/mod.ts";
import { NOW } from "../../helpers/fixtures.ts";

Deno.test("offline plugin - announces each event about a customer to OFFLINE_SYNC_ENDPOINT, by customer and event, not payload", async () => {
  await withTestDb(async (db) => {
    const peer = startLoopbackPeer("/offline/changed");
    const run = await startPluginForTest({
      plugin: offlinePlugin(),
      db,
      env: { OFFLINE_SYNC_ENDPOINT: peer.url },
    });
    try {
      const event = await run.emit({
        type: "milestone.achieved",
        customerId: "sup_1",
        payload: { milestone: "first_client_added" },
        occurredAt: NOW,
      });
      const [request] = await peer.waitFor(1);
      assertEquals([request!.method, request!.path], ["POST", "/offline/changed"]);
      assertEquals(request!.headers.get("content-type"), "application/json");
      assertEquals(request!.headers.get("idempotency-key"), `offline-event-${event.id}`);
      assertEquals(JSON.parse(request!.body), {
        customerId: "sup_1",
        eventId: event.id,
        type: "milestone.achieved",
        occurredAt: NOW.toISOString(),
      });

      // The hub retries what can succeed later, and dead-letters what cannot.
      peer.answer(503);
      const busy = await assertRejects(
        () => run.emit({ type: "health.changed", customerId: "sup_1" }),
        DeliveryError,
      );
      assertEquals(busy.retriable, true);
      peer.answer(404);
      const gone = await assertRejects(
        () => run.emit({ type: "health.changed", customerId: "sup_1" }),
        DeliveryError,
      );
      assertEquals(gone.retriable, false);
    } finally {
      await run.stop();
      await peer.close();
    }
  });
});

Deno.test("offline plugin - without OFFLINE_SYNC_ENDPOINT nothing is announced", async () => {
  await withTestDb(async (db) => {
    const peer = startLoopbackPeer();
    const run = await startPluginForTest({ plugin: offlinePlugin(), db });
    try {
      await run.emit({ type: "customer.updated", customerId: "sup_1", payload: { created: true } });
      assertEquals(peer.received.length, 0);
      assertEquals(await run.plugin.health(), {
        status: "healthy",
        detail: "the feed is up to date with the event log",
      });
    } finally {
      await run.stop();
      await peer.close();
    }
  });
});

// PGlite has one connection: no transaction can be open while another commits.
Deno.test({
  name:
    "offline plugin - health is degraded while an open transaction holds events back from clients",
  ignore: backend !== "postgres",
  async fn() {
    await withTestDb(async (db) => {
      const run = await startPluginForTest({ plugin: offlinePlugin(), db });
      let end = () => {};
      const ending = new Promise<void>((resolve) => (end = resolve));
      let begun = () => {};
      const open = new Promise<void>((resolve) => (begun = resolve));
      const stuck = db.transaction(async (tx) => {
        await tx.query("select pg_current_xact_id()");
        begun();
        await ending;
      });
      try {
        await open;
        await db.query(
          `insert into event_log (type, customer_id, payload, occurred_at, recorded_at)
           values ('health.changed', 'sup_1', '{}', now(), now() - interval '10 minutes')`,
        );
        const health = await run.plugin.health();
        assertEquals(health.status, "degraded");
        assert(/1 event\(s\) have waited \d+ s behind a database transaction/.test(health.detail));
        end();
        await stuck;
        // Another database's open transaction on a shared server can hold the horizon a moment.
        const deadline = Date.now() + 10_000;
        while ((await run.plugin.health()).status !== "healthy") {
          assert(Date.now() < deadline, "still degraded 10 s after the transaction ended");
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      } finally {
        end();
        await stuck;
        await run.stop();
      }
    });
  },
});
