import { assertEquals, assertMatch } from "../../helpers/assert.ts";
import { withTestDb } from "../../helpers/db.ts";
import { NOW } from "../../helpers/fixtures.ts";
import { firstParty, verifyBodySignature } from "../../../engine/plugins/mod.ts";
import { startPluginForTest } from "../../../engine/plugins/testing/mod.ts";
import marketing from "../../../plugins/marketing/mod.ts";
import manifest from "../../../plugins/marketing/plugin.json" with { type: "json" };
import {
  addCustomers,
  atRisk,
  bodies,
  champion,
  milestone,
  outbox,
  SECRET,
  startMarketing,
} from "./marketing_run.ts";

Deno.test("marketing - posts the selected events in one batch, signed, with an idempotency key", async () => {
  await withTestDb(async (db) => {
    await addCustomers(db);
    const m = await startMarketing(db, { config: { batchSize: 3, maxWaitMs: 60_000 } });
    try {
      const at = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000);
      const emit = (
        type: "health.changed" | "milestone.achieved",
        customerId: string,
        payload: Record<string, unknown>,
        minutesAgo: number,
      ) => m.run.emit({ type, customerId, payload, occurredAt: at(minutesAgo) });
      await emit("health.changed", "sup_a", atRisk(), 3);
      await emit("milestone.achieved", "sup_b", milestone(), 2);
      // Two of three: the batch is not full and its oldest event has not waited a minute.
      assertEquals(await m.stream.flush(), { batches: 0, events: 0, suppressed: 0, error: null });
      assertEquals(m.peer.received.length, 0);
      await emit("health.changed", "sup_b", champion(), 1);

      assertEquals(await m.stream.flush(), { batches: 1, events: 3, suppressed: 0, error: null });
      const [request] = await m.peer.waitFor(1);
      assertEquals(m.peer.received.length, 1);
      assertEquals(request!.method, "POST");
      assertEquals(request!.path, "/marketing/events");
      assertEquals(request!.headers.get("content-type"), "application/json");
      assertEquals(request!.headers.get("idempotency-key"), "batch-2");
      assertEquals(request!.headers.get("x-cs-timestamp"), String(NOW.getTime() / 1000));
      assertMatch(request!.headers.get("x-cs-signature")!, /^sha256=[0-9a-f]{64}$/);
      const verify = (body: string) =>
        verifyBodySignature(
          SECRET,
          request!.headers.get("x-cs-timestamp")!,
          body,
          request!.headers.get("x-cs-signature")!,
          { now: NOW },
        );
      assertEquals(await verify(request!.body), true);
      assertEquals(await verify(request!.body.replace("sup_a", "sup_c")), false);

      assertEquals(JSON.parse(request!.body), {
        batchId: "batch-2",
        sentAt: NOW.toISOString(),
        events: [
          {
            id: 1,
            kind: "at_risk",
            eventType: "health.changed",
            occurredAt: "2026-06-15T11:57:00.000Z",
            customerId: "sup_a",
            plan: "professional",
            vendorType: "photographer",
            country: "GB",
            score: 31,
            atRiskScore: 72,
          },
          {
            id: 2,
            kind: "milestone",
            eventType: "milestone.achieved",
            occurredAt: "2026-06-15T11:58:00.000Z",
            customerId: "sup_b",
            plan: "professional",
            vendorType: "photographer",
            country: "GB",
            milestone: "first_payment_received",
          },
          {
            id: 3,
            kind: "champion",
            eventType: "health.changed",
            occurredAt: "2026-06-15T11:59:00.000Z",
            customerId: "sup_b",
            plan: "professional",
            vendorType: "photographer",
            country: "GB",
            score: 86,
            atRiskScore: 8,
          },
        ],
      });
      assertEquals(await outbox(db), [[1, "sent", null], [2, "sent", null], [3, "sent", null]]);
      // Sent is sent: a later flush posts nothing more.
      assertEquals((await m.stream.flush()).batches, 0);
      assertEquals(m.peer.received.length, 1);
    } finally {
      await m.stop();
    }
  });
});

Deno.test("marketing - does not queue or send events that are not selected", async () => {
  await withTestDb(async (db) => {
    await addCustomers(db);
    const m = await startMarketing(db, {
      config: {
        maxWaitMs: 0,
        milestones: ["first_payment_received"],
        events: ["at_risk", "milestone"],
      },
    });
    try {
      const unselected = [
        // Still at risk: it crossed before, and was sent then.
        { type: "health.changed", payload: { ...atRisk(80), previousAtRiskScore: 70 } },
        // Neither at risk nor a champion.
        { type: "health.changed", payload: { ...atRisk(30, 60) } },
        // A champion, but champions are not configured.
        { type: "health.changed", payload: champion() },
        // High, but the model is not confident; confident, but low.
        {
          type: "churn.predicted",
          payload: {
            probability: 0.9,
            previousProbability: 0.4,
            confident: false,
            modelVersion: "1.0.2",
          },
        },
        {
          type: "churn.predicted",
          payload: {
            probability: 0.5,
            previousProbability: 0.3,
            confident: true,
            modelVersion: "1.0.2",
          },
        },
        // Not one of the configured milestones.
        { type: "milestone.achieved", payload: milestone("first_client_added") },
      ] as const;
      for (const event of unselected) {
        await m.run.emit({ type: event.type, customerId: "sup_a", payload: { ...event.payload } });
      }
      await m.run.emit({
        type: "churn.predicted",
        customerId: "sup_b",
        payload: {
          probability: 0.82,
          previousProbability: 0.6,
          confident: true,
          modelVersion: "1.0.2",
        },
      });

      assertEquals(await m.stream.flush(), { batches: 1, events: 1, suppressed: 0, error: null });
      assertEquals(await outbox(db), [[7, "sent", null]]);
      const [batch] = bodies(m.peer);
      assertEquals(
        batch!.events.map((e) => [e.id, e.kind, e.eventType, e.customerId, e.probability]),
        [
          [7, "at_risk", "churn.predicted", "sup_b", 0.82],
        ],
      );
    } finally {
      await m.stop();
    }
  });
});

Deno.test("marketing - an event the hub delivers twice is queued and sent once", async () => {
  await withTestDb(async (db) => {
    await addCustomers(db);
    const m = await startMarketing(db, { config: { maxWaitMs: 0 } });
    try {
      const event = await m.run.emit({
        type: "milestone.achieved",
        customerId: "sup_a",
        payload: milestone(),
      });
      // The hub redelivers after a crash before it moved its cursor: same event, same id.
      const signal = AbortSignal.timeout(5_000);
      await m.run.plugin.handle(event, signal);
      assertEquals(await m.stream.flush(), { batches: 1, events: 1, suppressed: 0, error: null });
      await m.run.plugin.handle(event, signal);
      assertEquals((await m.stream.flush()).batches, 0);

      assertEquals(await outbox(db), [[1, "sent", null]]);
      assertEquals(m.peer.received.length, 1);
      assertEquals(bodies(m.peer)[0]!.events.map((e) => e.id), [1]);
    } finally {
      await m.stop();
    }
  });
});

Deno.test("marketing - cuts a long queue into several batches, each with its own key, in order", async () => {
  await withTestDb(async (db) => {
    await addCustomers(db);
    const m = await startMarketing(db, { config: { batchSize: 2, maxWaitMs: 5_000 } });
    try {
      for (let i = 0; i < 5; i++) {
        await m.run.emit({
          type: "milestone.achieved",
          customerId: i % 2 === 0 ? "sup_a" : "sup_b",
          payload: milestone(`step_${i}`),
        });
      }
      // Two full batches go; the fifth event waits for company or for maxWaitMs.
      assertEquals(await m.stream.flush(), { batches: 2, events: 4, suppressed: 0, error: null });
      m.clock.advance(5_000);
      assertEquals(await m.run.plugin.health(), {
        status: "healthy",
        detail: "Streaming to MARKETING_API_ENDPOINT: 1 event(s) wait, the oldest for 5 s",
      });
      assertEquals(await m.stream.flush(), { batches: 1, events: 1, suppressed: 0, error: null });

      assertEquals(
        m.peer.received.map((r) => r.headers.get("idempotency-key")),
        ["batch-2", "batch-3", "batch-4"],
      );
      assertEquals(bodies(m.peer).map((b) => [b.batchId, b.events.map((e) => e.milestone)]), [
        ["batch-2", ["step_0", "step_1"]],
        ["batch-3", ["step_2", "step_3"]],
        ["batch-4", ["step_4"]],
      ]);
    } finally {
      await m.stop();
    }
  });
});

Deno.test("marketing - its timer flushes without being asked", async () => {
  await withTestDb(async (db) => {
    await addCustomers(db);
    const m = await startMarketing(db, { config: { maxWaitMs: 0, flushIntervalMs: 20 } });
    try {
      await m.run.emit({ type: "milestone.achieved", customerId: "sup_a", payload: milestone() });
      const [request] = await m.peer.waitFor(1);
      assertEquals(JSON.parse(request!.body).events.length, 1);
    } finally {
      await m.stop();
    }
  });
});

Deno.test("marketing - without MARKETING_API_ENDPOINT it is off: nothing is queued", async () => {
  await withTestDb(async (db) => {
    await addCustomers(db);
    const run = await startPluginForTest({
      plugin: firstParty(manifest, marketing, "plugins/marketing"),
      db,
    });
    try {
      await run.emit({ type: "milestone.achieved", customerId: "sup_a", payload: milestone() });
      assertEquals(await outbox(db), []);
      assertEquals(await run.plugin.health(), {
        status: "healthy",
        detail: "Off: MARKETING_API_ENDPOINT is not set, so no event is queued or sent",
      });
    } finally {
      await run.stop();
    }
  });
});
