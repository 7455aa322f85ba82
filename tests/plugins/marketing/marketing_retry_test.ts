import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { withTestDb } from "../../helpers/db.ts";
import { customer, movableClock, NOW } from "../../helpers/fixtures.ts";
import { startLoopbackPeer } from "../../../engine/plugins/testing/mod.ts";
import { addCustomers, bodies, milestone, outbox, startMarketing } from "./marketing_run.ts";

Deno.test("marketing - keeps events while the endpoint is down and sends them once, in order, when it is back", async () => {
  await withTestDb(async (db) => {
    await addCustomers(db);
    const m = await startMarketing(db, {
      config: { batchSize: 2, maxWaitMs: 0, retryInitialMs: 1_000, retryMaxMs: 60_000 },
    });
    try {
      m.peer.answer(503);
      for (const [id, step] of [["sup_a", "a1"], ["sup_b", "b1"], ["sup_a", "a2"]] as const) {
        await m.run.emit({ type: "milestone.achieved", customerId: id, payload: milestone(step) });
      }
      assertEquals(await m.stream.flush(), {
        batches: 0,
        events: 0,
        suppressed: 0,
        error: "The marketing endpoint answered 503 Service Unavailable: no_service",
      });
      // One attempt, then the batch waits its backoff: no new batch overtakes it meanwhile.
      m.clock.advance(999);
      assertEquals((await m.stream.flush()).batches, 0);
      assertEquals(m.peer.received.length, 1);
      assertEquals(await outbox(db), [[1, "pending", null], [2, "pending", null], [
        3,
        "pending",
        null,
      ]]);
      const down = await m.run.plugin.health();
      assertEquals(down.status, "degraded");
      assertEquals(
        down.detail,
        "3 event(s) wait, the oldest for 1 s; the endpoint failed attempt 1 of the oldest batch " +
          "1 s ago: The marketing endpoint answered 503 Service Unavailable: no_service; " +
          "next attempt at 2026-06-15T12:00:01.000Z",
      );

      // Still down at the retry: the wait doubles.
      m.clock.advance(1);
      await m.stream.flush();
      assertEquals(m.peer.received.length, 2);
      m.clock.advance(1_999);
      await m.stream.flush();
      assertEquals(m.peer.received.length, 2);

      m.peer.answer(200);
      m.clock.advance(1);
      assertEquals(await m.stream.flush(), { batches: 2, events: 3, suppressed: 0, error: null });
      const keys = m.peer.received.map((r) => r.headers.get("idempotency-key"));
      // The failed batch is posted again whole, under its key, before anything newer.
      assertEquals(keys, ["batch-2", "batch-2", "batch-2", "batch-3"]);
      const sent = bodies(m.peer).slice(2);
      assertEquals(sent.map((b) => b.events.map((e) => e.milestone)), [["a1", "b1"], ["a2"]]);
      assertEquals(await outbox(db), [[1, "sent", null], [2, "sent", null], [3, "sent", null]]);
      assertEquals(await m.run.plugin.health(), {
        status: "healthy",
        detail: "Streaming to MARKETING_API_ENDPOINT: no event waits",
      });
    } finally {
      await m.stop();
    }
  });
});

Deno.test("marketing - retries a batch the endpoint did not answer in time", async () => {
  await withTestDb(async (db) => {
    await addCustomers(db);
    const m = await startMarketing(db, {
      config: { maxWaitMs: 0, requestTimeoutMs: 200, retryInitialMs: 500 },
    });
    try {
      m.peer.answer("hang");
      await m.run.emit({ type: "milestone.achieved", customerId: "sup_a", payload: milestone() });
      const first = await m.stream.flush();
      assertEquals(first.error, "The marketing endpoint did not answer within 200 ms");
      m.peer.answer(200);
      m.clock.advance(500);
      assertEquals(await m.stream.flush(), { batches: 1, events: 1, suppressed: 0, error: null });
      const keys = m.peer.received.map((r) => r.headers.get("idempotency-key"));
      assertEquals(keys, ["batch-2", "batch-2"]);
    } finally {
      await m.stop();
    }
  });
});

Deno.test("marketing - gives a batch in flight back when it stops; the next engine posts it under the same key", async () => {
  await withTestDb(async (db) => {
    await addCustomers(db);
    const peer = startLoopbackPeer("/marketing/events");
    try {
      const first = await startMarketing(db, { peer, config: { maxWaitMs: 0 } });
      peer.answer("hang");
      await first.run.emit({
        type: "milestone.achieved",
        customerId: "sup_a",
        payload: milestone(),
      });
      const flushing = first.stream.flush();
      await peer.waitFor(1);
      await first.stop();
      assertEquals((await flushing).error, "stopped while posting");
      assertEquals(await outbox(db), [[1, "pending", null]]);

      peer.answer(200);
      const second = await startMarketing(db, { peer, config: { maxWaitMs: 0 }, keys: "other" });
      try {
        assertEquals(await second.stream.flush(), {
          batches: 1,
          events: 1,
          suppressed: 0,
          error: null,
        });
      } finally {
        await second.stop();
      }
      assertEquals(peer.received.map((r) => r.headers.get("idempotency-key")), [
        "batch-2",
        "batch-2",
      ]);
      assertEquals(await outbox(db), [[1, "sent", null]]);
    } finally {
      await peer.close();
    }
  });
});

Deno.test("marketing - two engines flushing at once send each event once, in order per customer", async () => {
  await withTestDb(async (db) => {
    const ids = ["sup_a", "sup_b", "sup_c"];
    await addCustomers(db, ...ids.map((id) => customer(id)));
    const peer = startLoopbackPeer("/marketing/events");
    const clock = movableClock(NOW);
    const config = { batchSize: 2, maxWaitMs: 0 };
    const one = await startMarketing(db, { peer, clock, config, keys: "one" });
    const two = await startMarketing(db, { peer, clock, config, keys: "two" });
    try {
      for (let i = 0; i < 12; i++) {
        await one.run.emit({
          type: "milestone.achieved",
          customerId: ids[i % 3]!,
          payload: milestone(`step_${i}`),
        });
      }
      // Rounds until nothing is left: a batch can wait for another engine's batch of its customer.
      for (let round = 0; round < 12; round++) {
        const results = await Promise.all([one.stream.flush(), two.stream.flush()]);
        if (results.every((r) => r.batches === 0)) break;
      }
      const events = bodies(peer).flatMap((b) => b.events);
      assertEquals(
        events.map((e) => e.id).sort((a, b) => a - b),
        [...Array(12)].map((_, i) => i + 1),
      );
      for (const id of ids) {
        const mine = events.filter((e) => e.customerId === id).map((e) => e.id);
        assertEquals(mine, [...mine].sort((a, b) => a - b), `${id} out of order`);
      }
      const keys = peer.received.map((r) => r.headers.get("idempotency-key")!);
      assertEquals(new Set(keys).size, keys.length);
      for (const key of keys) assertMatch(key, /^(one|two)-\d+$/);
      assert((await outbox(db)).every(([, state]) => state === "sent"));
    } finally {
      await one.stop();
      await two.stop();
      await peer.close();
    }
  });
});

Deno.test("marketing - without a signing secret it queues but sends nothing, and says so", async () => {
  await withTestDb(async (db) => {
    await addCustomers(db);
    const peer = startLoopbackPeer("/marketing/events");
    try {
      const unsigned = await startMarketing(db, { peer, unsigned: true, config: { maxWaitMs: 0 } });
      try {
        await unsigned.run.emit({
          type: "milestone.achieved",
          customerId: "sup_a",
          payload: milestone(),
        });
        const result = await unsigned.stream.flush();
        assertMatch(result.error!, /^no signingSecret is configured/);
        assertEquals(peer.received.length, 0);
        assertEquals(await unsigned.run.plugin.health(), {
          status: "unhealthy",
          detail: "1 event(s) wait, the oldest for 0 s and none is sent: no signingSecret is " +
            "configured (posts are never unsigned); set it with PUT /api/v1/plugins/marketing",
        });
      } finally {
        await unsigned.stop();
      }
      // Configured: the plugin restarts with the secret and sends what waited.
      const signed = await startMarketing(db, { peer, config: { maxWaitMs: 0 } });
      try {
        assertEquals((await signed.stream.flush()).events, 1);
      } finally {
        await signed.stop();
      }
    } finally {
      await peer.close();
    }
  });
});
