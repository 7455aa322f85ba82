import { assertEquals } from "../../../helpers/assert.ts";
import { withTestDb } from "../../../helpers/db.ts";
import { movableClock } from "../../../helpers/fixtures.ts";
import {
  append,
  durableStatus,
  eventIds,
  pause,
  recordingPlugin,
  testHub,
  until,
  whileRunning,
} from "./helpers.ts";

Deno.test("EventHub - delivers each plugin the events of its types, in order per customer", async () => {
  await withTestDb(async (db) => {
    const health = recordingPlugin("health-feed", ["health.changed"]);
    const everything = recordingPlugin("audit-feed", ["health.changed", "customer.updated"]);
    const hub = testHub({ db, subscribers: [health, everything] });
    await whileRunning(hub, async () => {
      for (let i = 0; i < 5; i++) {
        await append(db, [
          { type: "health.changed", customerId: "sup_a", payload: { step: i } },
          { type: "customer.updated", customerId: "sup_b", payload: { step: i } },
          { type: "health.changed", customerId: "sup_b", payload: { step: i } },
        ]);
      }
      await until(
        "both plugins have everything",
        () => health.received.length === 10 && everything.received.length === 15,
      );
    });
    const steps = (events: typeof health.received, customerId: string) =>
      events.filter((e) => e.customerId === customerId).map((e) => e.payload.step);
    assertEquals(steps(health.received, "sup_a"), [0, 1, 2, 3, 4]);
    assertEquals(steps(health.received, "sup_b"), [0, 1, 2, 3, 4]);
    assertEquals(new Set(health.received.map((e) => e.type)), new Set(["health.changed"]));
    assertEquals(everything.received.map((e) => e.id), await eventIds(db));
    const first = everything.received[0]!;
    assertEquals(typeof first.recordedAt, "string");
    assertEquals(first.occurredAt, "2026-06-15T12:00:00.000Z");
  });
});

Deno.test("EventHub - wakes on a commit without waiting for its poll", async () => {
  await withTestDb(async (db) => {
    const plugin = recordingPlugin("feed", ["customer.updated"]);
    // A poll of a minute: only the NOTIFY can deliver within the test.
    const hub = testHub({ db, subscribers: [plugin], settings: { pollIntervalMs: 60_000 } });
    await whileRunning(hub, async () => {
      await until("the deliverer is idle", async () => (await durableStatus(hub)).holder !== null);
      await pause(50);
      await append(db, [{}]);
      await until("the event arrived", () => plugin.received.length === 1);
    });
  });
});

Deno.test("EventHub - a plugin installed later starts at the end of the log", async () => {
  await withTestDb(async (db) => {
    await append(db, [{}, {}]);
    const plugin = recordingPlugin("late", ["customer.updated"]);
    const hub = testHub({ db, subscribers: [plugin], startAt: "end" });
    await whileRunning(hub, async () => {
      await until("registered", async () => (await hub.status()).length === 1);
      await append(db, [{ payload: { after: true } }]);
      await until("the new event arrived", () => plugin.received.length === 1);
      await pause(100);
    });
    assertEquals(plugin.received.map((e) => e.payload), [{ after: true }]);
  });
});

Deno.test("EventHub - after a crash mid-batch the next engine delivers again from the cursor", async () => {
  await withTestDb(async (db) => {
    await append(db, [1, 2, 3, 4, 5].map((n) => ({ payload: { n } })));
    // The first engine handles two events, then hangs in the third (ignoring its
    // signal) as a process would that crashed there: it never writes its cursor.
    let unblock = () => {};
    const blocked = new Promise<void>((resolve) => (unblock = resolve));
    const crashed = recordingPlugin("feed", ["customer.updated"], async (_event, _signal, call) => {
      if (call === 3) await blocked;
    });
    const clock = movableClock();
    const first = testHub({
      db,
      subscribers: [crashed],
      clock,
      engineId: "engine-a",
      settings: { handlerTimeoutMs: 60_000 },
    });
    const stopFirst = new AbortController();
    const firstRunning = first.run(stopFirst.signal);
    await until("the first engine is stuck in the third event", () => crashed.calls.length === 3);

    // Its lease runs out; another engine takes the plugin over.
    const later = movableClock();
    later.advance(31_000);
    const resumed = recordingPlugin("feed", ["customer.updated"]);
    const second = testHub({ db, subscribers: [resumed], clock: later, engineId: "engine-b" });
    await whileRunning(second, async () => {
      await until("every event arrived", () => resumed.received.length === 5);
    });
    stopFirst.abort();
    unblock();
    await firstRunning;

    assertEquals(crashed.received.map((e) => e.payload.n), [1, 2, 3]);
    assertEquals(resumed.received.map((e) => e.payload.n), [1, 2, 3, 4, 5]);
    const [status] = await second.status();
    assertEquals([status?.delivered, status?.lastDeliveredEventId], [5, (await eventIds(db))[4]]);
  });
});

Deno.test("EventHub - one engine delivers to a plugin while another waits for its lease", async () => {
  await withTestDb(async (db) => {
    const a = recordingPlugin("feed", ["customer.updated"]);
    const b = recordingPlugin("feed", ["customer.updated"]);
    const hubA = testHub({ db, subscribers: [a], engineId: "engine-a" });
    const hubB = testHub({ db, subscribers: [b], engineId: "engine-b" });
    await whileRunning(hubA, async () => {
      await until(
        "engine-a holds the plugin",
        async () => (await durableStatus(hubA)).holder === "engine-a",
      );
      await whileRunning(hubB, async () => {
        await append(db, [{}, {}, {}]);
        await until("the events arrived", () => a.received.length + b.received.length === 3);
        await pause(100);
      });
    });
    assertEquals([a.received.length, b.received.length], [3, 0]);
  });
});
