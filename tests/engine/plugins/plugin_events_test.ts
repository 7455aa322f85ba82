import { assertEquals } from "../../helpers/assert.ts";
import { withTestDb } from "../../helpers/db.ts";
import { customer, NOW } from "../../helpers/fixtures.ts";
import { silentLogger } from "../../../engine/log.ts";
import {
  eventHubSettings,
  type PluginEvent,
  PluginEvents,
  PluginHost,
} from "../../../engine/plugins/mod.ts";
import { loadConfig } from "../../../engine/config.ts";
import { upsertCustomers } from "../../../engine/signals/mod.ts";
import { testPlugin } from "./test_plugins.ts";

const by = { actor: "token:1 (admin)", at: NOW, reason: null, requestId: null };

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

Deno.test("the engine's plugins get their events; a disabled plugin's wait and arrive when it is enabled again", async () => {
  await withTestDb(async (db) => {
    const received: string[] = [];
    const crm = testPlugin("crm", {
      setup: () => ({
        on: {
          "customer.updated": (event: PluginEvent) => {
            received.push(event.customerId!);
            return Promise.resolve();
          },
        },
      }),
    }, { capabilities: { subscriptions: ["customer.updated"] } });
    const host = new PluginHost({
      db,
      clock: { now: () => NOW },
      log: silentLogger,
      environment: {},
      firstParty: [crm],
    });
    await host.start();
    const events = new PluginEvents({
      db,
      clock: { now: () => NOW },
      log: silentLogger,
      host,
      settings: { ...eventHubSettings(loadConfig({})), pollIntervalMs: 50 },
    });
    const stopping = new AbortController();
    const delivering = events.run(stopping.signal);
    try {
      // The hub registers the plugin at the end of the log: wait until it has.
      await until(() => events.subscribers.length === 1, "the hub to start");
      await new Promise((resolve) => setTimeout(resolve, 200));
      await upsertCustomers(db, [customer("sup_a")], { now: NOW });
      await until(() => received.includes("sup_a"), "sup_a's event");

      await host.update("crm", { enabled: false }, by);
      await upsertCustomers(db, [customer("sup_b")], { now: NOW });
      await new Promise((resolve) => setTimeout(resolve, 500));
      assertEquals(received.includes("sup_b"), false);

      await host.update("crm", { enabled: true }, by);
      await until(() => received.includes("sup_b"), "sup_b's event after re-enabling");
      assertEquals(received.filter((id) => id === "sup_a").length >= 1, true);
      const [status] = await events.status();
      assertEquals(status?.plugin, "crm");
    } finally {
      stopping.abort();
      await delivering;
      await host.stop();
    }
  });
});

Deno.test("an every-engine plugin goes on from where it was when another plugin is disabled", async () => {
  await withTestDb(async (db) => {
    const received: string[] = [];
    const wall = testPlugin("wall", {
      setup: () => ({
        on: {
          "customer.updated": (event: PluginEvent) => {
            received.push(event.customerId!);
            return Promise.resolve();
          },
        },
      }),
    }, { capabilities: { subscriptions: ["customer.updated"], delivery: "every-engine" } });
    const crm = testPlugin("crm", {
      setup: () => ({ on: { "customer.updated": () => Promise.resolve() } }),
    }, { capabilities: { subscriptions: ["customer.updated"] } });
    const host = new PluginHost({
      db,
      clock: { now: () => NOW },
      log: silentLogger,
      environment: {},
      firstParty: [wall, crm],
    });
    await host.start();
    const events = new PluginEvents({
      db,
      clock: { now: () => NOW },
      log: silentLogger,
      host,
      settings: { ...eventHubSettings(loadConfig({})), pollIntervalMs: 50 },
    });
    const stopping = new AbortController();
    const delivering = events.run(stopping.signal);
    try {
      const following = async () =>
        (await events.status()).some((s) => s.delivery === "every-engine" && s.since !== null);
      while (!(await following())) await new Promise((resolve) => setTimeout(resolve, 20));
      await upsertCustomers(db, [customer("sup_a")], { now: NOW });
      await until(() => received.includes("sup_a"), "sup_a's event");
      // The hub is rebuilt without crm; what is appended meanwhile still reaches wall.
      await host.update("crm", { enabled: false }, by);
      await upsertCustomers(db, [customer("sup_b")], { now: NOW });
      await until(() => received.includes("sup_b"), "sup_b's event after the rebuild");
      assertEquals(events.subscribers.map((s) => [s.name, s.delivery]), [["wall", "every-engine"]]);
    } finally {
      stopping.abort();
      await delivering;
      await host.stop();
    }
  });
});
