import { assert, assertEquals, assertMatch } from "../../../helpers/assert.ts";
import { withTestDb } from "../../../helpers/db.ts";
import { DeliveryError } from "../../../../engine/plugins/mod.ts";
import {
  append,
  durableStatus,
  eventIds,
  recordingPlugin,
  testHub,
  until,
  whileRunning,
} from "./helpers.ts";

Deno.test("EventHub - retries a failing event with backoff until it is delivered", async () => {
  await withTestDb(async (db) => {
    const plugin = recordingPlugin("flaky", ["customer.updated"], (_event, _signal, call) => {
      if (call <= 2) throw new Error(`upstream answered 502 (call ${call})`);
    });
    const hub = testHub({ db, subscribers: [plugin] });
    await whileRunning(hub, async () => {
      await append(db, [{ payload: { n: 1 } }, { payload: { n: 2 } }]);
      await until("both arrived", () => plugin.received.length === 2);
    });
    const [first, second] = await eventIds(db);
    assertEquals(plugin.calls, [first, first, first, second]);
    assertEquals(plugin.received.map((e) => e.payload.n), [1, 2]);
    const status = await durableStatus(hub);
    assertEquals(
      [status?.delivered, status?.failed, status?.consecutiveFailures, status?.deadLetters],
      [2, 2, 0, 0],
    );
    assertEquals(status?.lastError, "upstream answered 502 (call 2)");
  });
});

Deno.test("EventHub - the breaker opens after N failures, holds events, and a good probe closes it", async () => {
  await withTestDb(async (db) => {
    const cooldownMs = 1_500;
    const callTimes: number[] = [];
    // Down for three attempts and for the first probe after the cooldown.
    const plugin = recordingPlugin("marketing", ["customer.updated"], (_event, _signal, call) => {
      callTimes.push(performance.now());
      if (call <= 4) throw new Error("connection refused");
    });
    const hub = testHub({
      db,
      subscribers: [plugin],
      settings: { breakerFailures: 3, breakerCooldownMs: cooldownMs, maxAttempts: 20 },
    });
    await whileRunning(hub, async () => {
      await append(db, [{ payload: { n: 1 } }, { payload: { n: 2 } }, { payload: { n: 3 } }]);
      await until("the breaker opened", async () => (await durableStatus(hub)).breaker === "open");
      const open = await durableStatus(hub);
      // Every event waits in the log (a loaded machine may have sent the first probe already).
      assertEquals(open?.waiting, 3);
      assert(open!.consecutiveFailures >= 3);
      await until("every event arrived", () => plugin.received.length === 3);
    });
    // Nothing went while it was open: the probe waited a whole cooldown, and
    // the failed probe opened it again for another.
    const gap = (i: number) => callTimes[i]! - callTimes[i - 1]!;
    assert(gap(3) >= cooldownMs - 5, `the first probe came ${gap(3)} ms after the third failure`);
    assert(gap(4) >= cooldownMs - 5, `the second probe came ${gap(4)} ms after the first`);
    const [first] = await eventIds(db);
    assertEquals(plugin.calls.slice(0, 5), [first, first, first, first, first]);
    assertEquals(plugin.received.map((e) => e.payload.n), [1, 2, 3]);
    const status = await durableStatus(hub);
    assertEquals([status?.breaker, status?.consecutiveFailures, status?.deadLetters], [
      "closed",
      0,
      0,
    ]);
    assertEquals([status?.breakerOpenedAt, status?.failed], [null, 4]);
  });
});

Deno.test("EventHub - a hanging handler times out and does not hold up another plugin", async () => {
  await withTestDb(async (db) => {
    let aborted = 0;
    // Never finishes by itself; notes that the hub aborted it.
    const hanging = recordingPlugin("dashboard", ["customer.updated"], (_event, signal) => {
      signal.addEventListener("abort", () => aborted++);
      return new Promise<void>(() => {});
    });
    const healthy = recordingPlugin("offline", ["customer.updated"]);
    const hub = testHub({
      db,
      subscribers: [hanging, healthy],
      settings: { handlerTimeoutMs: 3_000, maxAttempts: 2 },
    });
    await whileRunning(hub, async () => {
      await append(db, [{}, {}, {}, {}, {}]);
      await until(
        "the other plugin has every event while the first hangs in its first",
        () => healthy.received.length === 5 && hanging.calls.length === 1,
      );
      await until("the hanging call timed out", async () => (await hub.status())[0]!.failed > 0);
    });
    assert(aborted >= 1, "the handler's signal was aborted at its timeout");
    const status = await durableStatus(hub);
    assertMatch(status!.lastError!, /did not finish within 3000 ms \(PLUGIN_HANDLER_TIMEOUT_MS\)/);
    assertEquals(hanging.received.length, 0);
  });
});

Deno.test("EventHub - a poison event is dead-lettered after its attempts and the next is delivered", async () => {
  await withTestDb(async (db) => {
    const plugin = recordingPlugin("viral", ["customer.updated"], (event) => {
      if (event.payload.poison) throw new Error("payload has no referral code");
    });
    const hub = testHub({ db, subscribers: [plugin], settings: { maxAttempts: 3 } });
    await whileRunning(hub, async () => {
      await append(db, [{ payload: { n: 1 } }, { payload: { n: 2, poison: true } }]);
      await append(db, [{ payload: { n: 3 } }]);
      await until("the event after it arrived", () => plugin.received.length === 2);
    });
    const [, poison] = await eventIds(db);
    assertEquals(plugin.received.map((e) => e.payload.n), [1, 3]);
    assertEquals(plugin.calls.filter((id) => id === poison).length, 3);
    const { items } = await hub.deadLetters("viral", { limit: 10 });
    assertEquals(items.map((d) => [d.eventId, d.eventType, d.attempts, d.replayedAt]), [
      [poison, "customer.updated", 3, null],
    ]);
    assertEquals(items[0]!.lastError, "payload has no referral code (gave up after 3 attempts)");
    const status = await durableStatus(hub);
    assertEquals([status?.deadLetters, status?.deadLettered, status?.waiting], [1, 1, 0]);
  });
});

Deno.test("EventHub - an event the handler refuses as not retriable is dead-lettered at once", async () => {
  await withTestDb(async (db) => {
    const plugin = recordingPlugin("crm", ["customer.updated"], (event) => {
      if (event.payload.bad) {
        throw new DeliveryError("the CRM rejects customers without a name", { retriable: false });
      }
    });
    const hub = testHub({ db, subscribers: [plugin], settings: { maxAttempts: 5 } });
    await whileRunning(hub, async () => {
      await append(db, [{ payload: { bad: true } }, { payload: { n: 2 } }]);
      await until("the next event arrived", () => plugin.received.length === 1);
    });
    assertEquals(plugin.calls.length, 2);
    const { items } = await hub.deadLetters("crm", { limit: 10 });
    assertEquals(items.map((d) => [d.attempts, d.lastError]), [
      [1, "the CRM rejects customers without a name"],
    ]);
  });
});
