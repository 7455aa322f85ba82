import { holdEventsOpen } from "../../../helpers/open_transaction.ts";
import { assert, assertEquals, assertRejects } from "../../../helpers/assert.ts";
import { backend, withTestDb } from "../../../helpers/db.ts";
import { NOW } from "../../../helpers/fixtures.ts";
import { EngineError } from "../../../../engine/errors.ts";
import {
  append,
  durableStatus,
  eventIds,
  livePlugin,
  liveStarted,
  liveStatus,
  pause,
  recordingPlugin,
  testHub,
  until,
  whileRunning,
} from "./helpers.ts";

const change = { actor: "token:1 (admin)", now: NOW };

Deno.test("EventHub - every engine delivers an every-engine plugin every event, in log order", async () => {
  await withTestDb(async (db) => {
    const liveA = livePlugin("dashboard", ["customer.updated", "health.changed"]);
    const liveB = livePlugin("dashboard", ["customer.updated", "health.changed"]);
    const durableA = recordingPlugin("crm", ["customer.updated"]);
    const durableB = recordingPlugin("crm", ["customer.updated"]);
    const hubA = testHub({ db, subscribers: [liveA, durableA], engineId: "engine-a" });
    const hubB = testHub({ db, subscribers: [liveB, durableB], engineId: "engine-b" });
    await whileRunning(hubA, async () => {
      await whileRunning(hubB, async () => {
        await until(
          "both engines follow the log",
          async () => await liveStarted(hubA) && await liveStarted(hubB),
        );
        for (let i = 0; i < 4; i++) {
          await append(db, [
            { type: "customer.updated", customerId: "sup_a", payload: { step: i } },
            { type: "health.changed", customerId: "sup_b", payload: { step: i } },
            { type: "churn.predicted", customerId: "sup_b", payload: { step: i } },
          ]);
        }
        await until(
          "both engines have every event",
          () => liveA.received.length === 8 && liveB.received.length === 8,
        );
        await until(
          "crm has its events",
          () => durableA.received.length + durableB.received.length === 4,
        );
        await pause(200); // Several polls: nothing twice.
      });
    });
    const ids = await eventIds(db);
    const theirs = ids.filter((_, i) => i % 3 !== 2); // Not churn.predicted.
    assertEquals(liveA.received.map((e) => e.id), theirs);
    assertEquals(liveB.received.map((e) => e.id), theirs);
    // The durable plugin still goes to one engine, each event once.
    assertEquals(
      [durableA.received.length, durableB.received.length].sort(),
      [0, 4],
    );
  });
});

Deno.test("EventHub.status() shows an every-engine plugin with this engine's lag, no lease or cursor", async () => {
  await withTestDb(async (db) => {
    const live = livePlugin("dashboard", ["customer.updated"]);
    const hub = testHub({ db, subscribers: [live], engineId: "engine-a" });
    const before = await liveStatus(hub);
    assertEquals([before.since, before.waiting], [null, 0]);
    await whileRunning(hub, async () => {
      await until("it follows the log", () => liveStarted(hub));
      await append(db, [{}, {}]);
      await until("delivered", () => live.received.length === 2);
    });
    const last = (await eventIds(db)).at(-1)!;
    assertEquals(await liveStatus(hub), {
      plugin: "dashboard",
      types: ["customer.updated"],
      delivery: "every-engine",
      engine: "engine-a",
      since: NOW.toISOString(),
      waiting: 0,
      oldestWaitingAt: null,
      lastDeliveredAt: NOW.toISOString(),
      lastDeliveredEventId: last,
      lastError: null,
      lastErrorAt: null,
      delivered: 2,
      failed: 0,
      consecutiveFailures: 0,
    });
    // Nothing stored: no cursor, lease or counters in event_hub_plugins.
    const rows = await db.query("select 1 from event_hub_plugins where plugin = 'dashboard'");
    assertEquals(rows.length, 0);
    // Events appended while it is stopped wait in this engine's view.
    await append(db, [{}]);
    const stopped = await liveStatus(hub);
    assertEquals([stopped.waiting, stopped.oldestWaitingAt !== null], [1, true]);
  });
});

Deno.test("EventHub - an every-engine plugin starts at the end of the log", async () => {
  await withTestDb(async (db) => {
    await append(db, [{ payload: { before: true } }, { payload: { before: true } }]);
    const live = livePlugin("dashboard", ["customer.updated"]);
    // startAt "beginning" is for durable plugins seen for the first time; a live one ignores it.
    const hub = testHub({ db, subscribers: [live], startAt: "beginning" });
    await whileRunning(hub, async () => {
      await until("it follows the log", () => liveStarted(hub));
      await append(db, [{ payload: { after: true } }]);
      await until("the new event arrived", () => live.received.length === 1);
      await pause(100);
    });
    assertEquals(live.received.map((e) => e.payload), [{ after: true }]);
  });
});

Deno.test("EventHub - a failing every-engine handler skips the event and goes on", async () => {
  await withTestDb(async (db) => {
    const live = livePlugin("dashboard", ["customer.updated"], (event) => {
      if (event.payload.poison) throw new Error("cannot render this event");
    });
    const hub = testHub({ db, subscribers: [live] });
    await whileRunning(hub, async () => {
      await until("it follows the log", () => liveStarted(hub));
      await append(db, [{ payload: { n: 1 } }, { payload: { n: 2, poison: true } }]);
      await append(db, [{ payload: { n: 3 } }]);
      await until("the event after it arrived", () => live.received.length === 2);
      await pause(100);
    });
    const [, poison] = await eventIds(db);
    assertEquals(live.received.map((e) => e.payload.n), [1, 3]);
    // Called once: no retry, no dead letter.
    assertEquals(live.calls.filter((id) => id === poison).length, 1);
    const status = await liveStatus(hub);
    assertEquals(
      [status.delivered, status.failed, status.lastError],
      [2, 1, "cannot render this event"],
    );
    const letters = await db.query("select 1 from event_hub_dead_letters");
    assertEquals(letters.length, 0);
  });
});

Deno.test("EventHub - a slow every-engine handler delays only its own plugin", async () => {
  await withTestDb(async (db) => {
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const slow = livePlugin("dashboard", ["customer.updated"], async () => await released);
    const quick = livePlugin("wallboard", ["customer.updated"]);
    const crm = recordingPlugin("crm", ["customer.updated"]);
    const hub = testHub({ db, subscribers: [slow, quick, crm] });
    await whileRunning(hub, async () => {
      await until("it follows the log", () => liveStarted(hub));
      await append(db, [{}, {}, {}]);
      await until(
        "the others have every event while the slow one is in its first",
        () => quick.received.length === 3 && crm.received.length === 3 && slow.calls.length === 1,
      );
      release();
      await until("the slow one caught up", () => slow.received.length === 3);
    });
  });
});

Deno.test("EventHub - replay and dead letters of an every-engine plugin are refused, saying why", async () => {
  await withTestDb(async (db) => {
    const hub = testHub({
      db,
      subscribers: [
        livePlugin("dashboard", ["customer.updated"]),
        recordingPlugin("crm", [
          "customer.updated",
        ]),
      ],
    });
    const refused = await assertRejects(
      () => hub.replay("dashboard", { eventId: 1 }, change),
      EngineError,
    );
    assertEquals(refused.code, "PLUGIN_NOT_FOUND");
    assertEquals(
      refused.message,
      'Plugin "dashboard" has its events delivered live in every engine (capabilities.delivery ' +
        '"every-engine"): it keeps no cursor to replay from and no dead letters; those delivered ' +
        "durably: crm",
    );
    await assertRejects(() => hub.replayDeadLetters("dashboard", change), EngineError);
    await assertRejects(() => hub.deadLetters("dashboard", { limit: 10 }), EngineError);
    assertEquals((await durableStatus(hub, "crm")).delivery, "durable");
  });
});

Deno.test("EventHub - a hub built over another's live positions goes on where it stopped", async () => {
  await withTestDb(async (db) => {
    const first = livePlugin("dashboard", ["customer.updated"]);
    const hub = testHub({ db, subscribers: [first] });
    await whileRunning(hub, async () => {
      await until("it follows the log", () => liveStarted(hub));
      await append(db, [{ payload: { n: 1 } }]);
      await until("delivered", () => first.received.length === 1);
    });
    // Appended between the two hubs, as while the engine rebuilds its hub for another plugin.
    await append(db, [{ payload: { n: 2 } }]);
    const second = livePlugin("dashboard", ["customer.updated"]);
    const next = testHub({ db, subscribers: [second], livePositions: hub.livePositions() });
    await whileRunning(next, async () => {
      await until("the event in between arrived", () => second.received.length === 1);
      await append(db, [{ payload: { n: 3 } }]);
      await until("the next one too", () => second.received.length === 2);
    });
    assertEquals(second.received.map((e) => e.payload.n), [2, 3]);
    assert(hub.livePositions().has("dashboard"));
  });
});

// PGlite has one connection: no transaction can be open while another commits.
Deno.test({
  name: "EventHub - an every-engine plugin gets an event committed late under a lower id",
  ignore: backend !== "postgres",
  async fn() {
    await withTestDb(async (db) => {
      const live = livePlugin("dashboard", ["customer.updated"]);
      const hub = testHub({ db, subscribers: [live] });
      await whileRunning(hub, async () => {
        await until("it follows the log", () => liveStarted(hub));
        // The slow transaction takes the lower id, then stays open.
        const slow = await holdEventsOpen(db, [{
          type: "customer.updated",
          customerId: "sup_1",
          payload: { tx: "slow" },
          occurredAt: NOW,
        }]);
        await append(db, [{ payload: { tx: "fast" } }]);
        await pause(300); // Several polls: nothing goes past the open transaction.
        assertEquals(live.received.length, 0);
        await slow.commit();
        await until("both arrived", () => live.received.length === 2);
        await pause(200);
      });
      assertEquals(live.received.map((e) => e.payload.tx), ["slow", "fast"]);
    });
  },
});
