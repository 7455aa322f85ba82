import { assertEquals, assertRejects } from "../../helpers/assert.ts";
import { withTestDb } from "../../helpers/db.ts";
import { customer, NOW } from "../../helpers/fixtures.ts";
import { loadConfig } from "../../../engine/config.ts";
import { listInbox } from "../../../engine/interventions/mod.ts";
import { silentLogger } from "../../../engine/log.ts";
import { DeliveryError, loadChannelPlugins } from "../../../engine/plugins/mod.ts";
import { upsertCustomers } from "../../../engine/signals/mod.ts";
import { createInAppChannel } from "../../../plugins/in-app/mod.ts";
import { firstPartyPlugin } from "../../../plugins/mod.ts";
import { outgoingMessage } from "../message.ts";

const signal = new AbortController().signal;

Deno.test("InAppChannel - delivers to the customer's inbox once, however often it is sent", async () => {
  await withTestDb(async (db) => {
    await upsertCustomers(db, [customer("sup_rose")], { now: NOW });
    const channels = await loadChannelPlugins([firstPartyPlugin("in-app")], {
      config: loadConfig({}),
      db,
      log: silentLogger,
      clock: { now: () => NOW },
    });
    const channel = channels.get("in-app")!;
    const message = outgoingMessage("in-app", { test: true });
    const first = await channel.send(message, { signal });
    const retry = await channel.send(message, { signal });
    assertEquals(first.status, "delivered");
    assertEquals(retry, first);

    const { items } = await listInbox(db, "sup_rose", { limit: 10 });
    assertEquals(items.map((m) => [String(m.id), m.interventionId, m.subject, m.body, m.test]), [
      [first.providerMessageId, "42", null, message.text, true],
    ]);
    assertEquals(items[0]?.createdAt, NOW.toISOString());
  });
});

Deno.test("InAppChannel - does not retry for a customer that does not exist", async () => {
  await withTestDb(async (db) => {
    const channels = await loadChannelPlugins([firstPartyPlugin("in-app")], {
      config: loadConfig({}),
      db,
      log: silentLogger,
    });
    const error = await assertRejects(
      () => channels.get("in-app")!.send(outgoingMessage("in-app"), { signal }),
      DeliveryError,
    );
    assertEquals(error.retriable, false);
    assertEquals(
      error.message,
      'Cannot deliver to the inbox: No customer "sup_rose": create it with PUT /api/v1/customers/sup_rose',
    );
  });
});

Deno.test("InAppChannel - retries when the inbox cannot be written", async () => {
  const channel = createInAppChannel({
    deliver: () => Promise.reject(new Error("Connection terminated unexpectedly")),
  });
  const error = await assertRejects(
    () => channel.send(outgoingMessage("in-app"), { signal }),
    DeliveryError,
  );
  assertEquals(error.retriable, true);
  assertEquals(
    error.message,
    "Cannot store the message in the inbox: Connection terminated unexpectedly",
  );
});
