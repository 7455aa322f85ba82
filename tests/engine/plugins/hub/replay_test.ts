import { assertEquals } from "../../../helpers/assert.ts";
import { withTestDb } from "../../../helpers/db.ts";
import { NOW } from "../../../helpers/fixtures.ts";
import {
  append,
  durableStatus,
  eventIds,
  recordingPlugin,
  testHub,
  until,
  whileRunning,
} from "./helpers.ts";

const change = { actor: "token:7 (ops)", now: NOW, reason: "the CRM lost a day of data" };

Deno.test("EventHub.replay() delivers a plugin's events again from an event id", async () => {
  await withTestDb(async (db) => {
    const plugin = recordingPlugin("crm", ["customer.updated"]);
    const other = recordingPlugin("dashboard", ["customer.updated"]);
    const hub = testHub({ db, subscribers: [plugin, other] });
    await append(db, [1, 2, 3, 4, 5].map((n) => ({ payload: { n } })));
    await whileRunning(hub, async () => {
      await until("the first delivery", () => plugin.received.length === 5);
      // Handled is not yet stored: a replay before the cursor is written would go back further.
      await until(
        "its cursor is stored",
        async () => (await durableStatus(hub, "crm")).waiting === 0,
      );
      const third = (await eventIds(db))[2]!;
      const result = await hub.replay("crm", { eventId: third }, change);
      assertEquals(result, { plugin: "crm", fromEventId: third, events: 3 });
      await until("the replay", () => plugin.received.length === 8);
    });
    assertEquals(plugin.received.map((e) => e.payload.n), [1, 2, 3, 4, 5, 3, 4, 5]);
    assertEquals(other.received.length, 5);
    const [entry] = await db.query<
      { action: string; actor: string; reason: string; after: unknown }
    >(
      "select action, actor, reason, after from audit_log where subject_id = 'crm'",
    );
    assertEquals([entry?.action, entry?.actor, entry?.reason], [
      "plugin.events_replayed",
      "token:7 (ops)",
      "the CRM lost a day of data",
    ]);
  });
});

Deno.test("EventHub.replay() from a time starts at the first event recorded at or after it", async () => {
  await withTestDb(async (db) => {
    const plugin = recordingPlugin("crm", ["customer.updated"]);
    const hub = testHub({ db, subscribers: [plugin] });
    for (const [n, hour] of [[1, 8], [2, 9], [3, 10], [4, 11]] as const) {
      await db.query(
        `insert into event_log (type, customer_id, payload, occurred_at, recorded_at)
         values ('customer.updated', 'sup_1', $1, $2, $2)`,
        [{ n }, new Date(`2026-06-15T${String(hour).padStart(2, "0")}:00:00Z`)],
      );
    }
    await whileRunning(hub, async () => {
      await until("the first delivery", () => plugin.received.length === 4);
      await until("its cursor is stored", async () => (await durableStatus(hub)).waiting === 0);
      const result = await hub.replay("crm", { time: new Date("2026-06-15T09:30:00Z") }, change);
      assertEquals(result.events, 2);
      await until("the replay", () => plugin.received.length === 6);
      const none = await hub.replay("crm", { time: new Date("2026-06-15T11:30:00Z") }, change);
      assertEquals(none, { plugin: "crm", fromEventId: null, events: 0 });
    });
    assertEquals(plugin.received.map((e) => e.payload.n), [1, 2, 3, 4, 3, 4]);
  });
});

Deno.test("EventHub.replay() never moves the cursor forward past events not delivered yet", async () => {
  await withTestDb(async (db) => {
    const plugin = recordingPlugin("crm", ["customer.updated"]);
    const hub = testHub({ db, subscribers: [plugin] });
    await hub.status(); // Registers the plugin at the start of the log.
    await append(db, [1, 2, 3].map((n) => ({ payload: { n } })));
    const last = (await eventIds(db))[2]!;
    assertEquals((await hub.replay("crm", { eventId: last }, change)).events, 3);
    await whileRunning(hub, async () => {
      await until("everything arrived", () => plugin.received.length === 3);
    });
    assertEquals(plugin.received.map((e) => e.payload.n), [1, 2, 3]);
  });
});

Deno.test("EventHub.replayDeadLetters() delivers dead letters again and marks them replayed", async () => {
  await withTestDb(async (db) => {
    let fixed = false;
    const plugin = recordingPlugin("viral", ["customer.updated"], (event) => {
      if (event.payload.poison && !fixed) throw new Error("no referral code");
    });
    const hub = testHub({ db, subscribers: [plugin], settings: { maxAttempts: 2 } });
    await whileRunning(hub, async () => {
      await append(db, [{ payload: { n: 1, poison: true } }, { payload: { n: 2 } }]);
      await until("the second arrived", () => plugin.received.length === 1);
      fixed = true;
      assertEquals(await hub.replayDeadLetters("viral", change), {
        plugin: "viral",
        deadLetters: 1,
      });
      await until("the dead letter arrived", () => plugin.received.length === 2);
      await until(
        "its queue entry is gone",
        async () => (await durableStatus(hub)).redeliveries === 0,
      );
    });
    assertEquals(plugin.received.map((e) => e.payload.n), [2, 1]);
    const { items } = await hub.deadLetters("viral", { limit: 10 });
    assertEquals(items.map((d) => [d.replayedAt, d.replayedBy]), [[
      NOW.toISOString(),
      change.actor,
    ]]);
    const pending = await hub.deadLetters("viral", { limit: 10, status: "pending" });
    assertEquals(pending.items, []);
    const status = await durableStatus(hub);
    assertEquals([status?.deadLetters, status?.waiting], [0, 0]);
    const actions = await db.query<{ action: string }>(
      "select action from audit_log where subject_type = 'plugin'",
    );
    assertEquals(actions.map((a) => a.action), ["plugin.dead_letters_replayed"]);
  });
});
