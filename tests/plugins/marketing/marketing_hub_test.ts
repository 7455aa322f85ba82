import { assertEquals } from "../../helpers/assert.ts";
import { withTestDb } from "../../helpers/db.ts";
import { NOW } from "../../helpers/fixtures.ts";
import { appendDomainEvents } from "../../../engine/events/mod.ts";
import type { EventSubscriber } from "../../../engine/plugins/mod.ts";
import { testHub, until, whileRunning } from "../../engine/plugins/hub/helpers.ts";
import {
  addCustomers,
  atRisk,
  bodies,
  milestone,
  outbox,
  startMarketing,
} from "./marketing_run.ts";

Deno.test("marketing - through the event hub: logged events reach the endpoint once, even when replayed", async () => {
  await withTestDb(async (db) => {
    await addCustomers(db);
    const m = await startMarketing(db, { config: { maxWaitMs: 0 } });
    const delivered: number[] = [];
    const subscriber: EventSubscriber = {
      name: "marketing",
      types: m.run.plugin.manifest.capabilities.subscriptions,
      handle: async (event, signal) => {
        await m.run.plugin.handle(event, signal);
        delivered.push(event.id);
      },
    };
    const hub = testHub({ db, subscribers: [subscriber] });
    try {
      await db.transaction((tx) =>
        appendDomainEvents(tx, [
          { type: "health.changed", customerId: "sup_a", payload: atRisk(), occurredAt: NOW },
          {
            type: "customer.updated",
            customerId: "sup_a",
            payload: { created: false },
            occurredAt: NOW,
          },
          {
            type: "milestone.achieved",
            customerId: "sup_b",
            payload: milestone(),
            occurredAt: NOW,
          },
        ])
      );
      const selected = (await db.query<{ id: number }>(
        "select id from event_log where type <> 'customer.updated' order by id",
      )).map((e) => Number(e.id));
      await whileRunning(hub, async () => {
        await until("both are queued", async () => (await outbox(db)).length === 2);
      });
      assertEquals(await m.stream.flush(), { batches: 1, events: 2, suppressed: 0, error: null });

      // An operator replays the log from its start: the hub delivers both again.
      await hub.replay("marketing", { eventId: 0 }, { actor: "test:admin", now: NOW });
      await whileRunning(hub, async () => {
        await until("the replay is delivered", async () => (await hub.status())[0]?.waiting === 0);
      });
      assertEquals((await m.stream.flush()).batches, 0);
      assertEquals(m.peer.received.length, 1);
      assertEquals(bodies(m.peer)[0]!.events.map((e) => e.id), selected);
      assertEquals(await outbox(db), selected.map((id) => [id, "sent", null]));
    } finally {
      await m.stop();
    }
  });
});
