import { holdEventsOpen } from "../../../helpers/open_transaction.ts";
import { assertEquals } from "../../../helpers/assert.ts";
import { backend, withTestDb } from "../../../helpers/db.ts";
import { NOW } from "../../../helpers/fixtures.ts";
import { append, pause, recordingPlugin, testHub, until, whileRunning } from "./helpers.ts";

// PGlite has one connection: no transaction can be open while another commits.
Deno.test({
  name:
    "EventHub - an event of a transaction still open when a later one commits is delivered, once",
  ignore: backend !== "postgres",
  async fn() {
    await withTestDb(async (db) => {
      const plugin = recordingPlugin("crm", ["customer.updated"]);
      const hub = testHub({ db, subscribers: [plugin] });
      await whileRunning(hub, async () => {
        // The slow transaction takes the lower id, then stays open.
        const slow = await holdEventsOpen(db, [{
          type: "customer.updated",
          customerId: "sup_1",
          payload: { tx: "slow" },
          occurredAt: NOW,
        }]);
        await append(db, [{ payload: { tx: "fast" } }]);
        const ids = await db.query<{ id: number; tx: string }>(
          "select id, payload->>'tx' as tx from event_log order by id",
        );
        assertEquals(ids.map((r) => r.tx), ["fast"]); // The slow one is not visible yet.

        // Several polls pass: nothing is delivered past the open transaction.
        await pause(300);
        assertEquals(plugin.received.length, 0);

        await slow.commit();
        await until("both arrived", () => plugin.received.length === 2);
        await pause(300); // Several more polls: nothing twice.
      });
      assertEquals(plugin.received.map((e) => e.payload.tx), ["slow", "fast"]);
      const [slowEvent, fastEvent] = plugin.received;
      assertEquals(slowEvent!.id < fastEvent!.id, true);
    });
  },
});

Deno.test({
  name: "EventHub - events held back by a transaction that appends nothing go soon after it ends",
  ignore: backend !== "postgres",
  async fn() {
    await withTestDb(async (db) => {
      const plugin = recordingPlugin("crm", ["customer.updated"]);
      // Polling once a minute: only the hub's own look-again can deliver within the test.
      const hub = testHub({ db, subscribers: [plugin], settings: { pollIntervalMs: 60_000 } });
      await whileRunning(hub, async () => {
        let finish = () => {};
        const finishing = new Promise<void>((resolve) => (finish = resolve));
        let started = () => {};
        const blockerStarted = new Promise<void>((resolve) => (started = resolve));
        // A write transaction of something else (a transaction id, no event, so no NOTIFY).
        const blocker = db.transaction(async (tx) => {
          await tx.query("select pg_current_xact_id()");
          started();
          await finishing;
        });
        await blockerStarted;
        await append(db, [{ payload: { n: 1 } }]);
        await pause(200);
        assertEquals(plugin.received.length, 0);
        finish();
        await blocker;
        await until("the event arrived", () => plugin.received.length === 1, 5_000);
      });
    });
  },
});
