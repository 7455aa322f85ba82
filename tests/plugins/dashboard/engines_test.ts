/**
 * The dashboard behind a load balancer: two engines on one database, each
 * with its plugin host, event hub and port, and a dashboard connected to
 * each. Its manifest asks for every-engine delivery, so both get every event.
 */
import { assertEquals } from "../../helpers/assert.ts";
import { withTestDb } from "../../helpers/db.ts";
import { NOW } from "../../helpers/fixtures.ts";
import { loadConfig } from "../../../engine/config.ts";
import type { Db } from "../../../engine/db/mod.ts";
import { appendDomainEvents } from "../../../engine/events/mod.ts";
import { silentLogger } from "../../../engine/log.ts";
import {
  eventHubSettings,
  PluginEvents,
  PluginHost,
  setRequestActor,
} from "../../../engine/plugins/mod.ts";
import { firstPartyPlugin } from "../../../plugins/mod.ts";
import { connectFeed, type FeedClient } from "./feed_client.ts";

/** One engine process, in miniature: what main.ts composes for plugins and their events. */
interface Engine {
  host: PluginHost;
  events: PluginEvents;
  url: string;
  stop(): Promise<void>;
}

async function startEngine(db: Db): Promise<Engine> {
  const config = loadConfig({});
  const clock = { now: () => NOW };
  const host = new PluginHost({
    db,
    clock,
    log: silentLogger,
    environment: config,
    firstParty: [firstPartyPlugin("dashboard")],
  });
  await host.start();
  const events = new PluginEvents({
    db,
    clock,
    log: silentLogger,
    host,
    settings: { ...eventHubSettings(config), pollIntervalMs: 50 },
  });
  const stopping = new AbortController();
  const delivering = events.run(stopping.signal);
  // The engine has checked the token by the time a request reaches a plugin.
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    setRequestActor(request, { id: "token:1 (wallboard)", role: "success-analyst" });
    return host.running("dashboard")!.fetch(request);
  });
  return {
    host,
    events,
    url: `ws://127.0.0.1:${server.addr.port}/plugins/dashboard/ws?events=customer.updated`,
    async stop() {
      stopping.abort();
      await delivering;
      await host.stop(); // Closes the feed's clients: the server waits for open connections.
      await server.shutdown();
    },
  };
}

async function until(what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const eventIdsOf = (client: FeedClient) =>
  client.messages.filter((m) => m.type === "event").map((m) => m.event.id as number);

Deno.test("dashboard - with two engines on one database, a client of each gets every event, in order", async () => {
  await withTestDb(async (db) => {
    const engines = [await startEngine(db), await startEngine(db)];
    const clients: FeedClient[] = [];
    try {
      for (const engine of engines) {
        await until("the engine follows the log", async () => {
          const [status] = await engine.events.status();
          return status?.delivery === "every-engine" && status.since !== null;
        });
        clients.push(await connectFeed(engine.url));
      }
      for (let n = 0; n < 3; n++) {
        await db.transaction((tx) =>
          appendDomainEvents(
            tx,
            [`sup_${n}a`, `sup_${n}b`].map((customerId) => ({
              type: "customer.updated",
              customerId,
              payload: { created: true },
              occurredAt: NOW,
            })),
          )
        );
      }
      const ids = (await db.query<{ id: number }>("select id from event_log order by id"))
        .map((r) => r.id);
      assertEquals(ids.length, 6);
      await until(
        "both clients have every event",
        () => clients.every((client) => eventIdsOf(client).length === 6),
      );
      for (const client of clients) {
        assertEquals(eventIdsOf(client), ids);
        // Every message in its place: the hello, then an event and its delta each.
        assertEquals(client.messages.map((m) => m.seq), [...Array(13).keys()].map((i) => i + 1));
        const lastDelta = client.messages.at(-1)!;
        assertEquals(lastDelta.changes, [
          { metric: "customersAdded", previous: 5, value: 6, change: 1 },
        ]);
      }
    } finally {
      await Promise.all(clients.map((client) => client.close()));
      for (const engine of engines) await engine.stop();
    }
  });
});
