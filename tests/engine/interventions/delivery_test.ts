/**
 * Delivery end to end with the real channels: templates rendered, the
 * webhook channel posting to an HTTP server on loopback, the in-app channel
 * storing in the inbox; several workers, and a worker that dies between
 * sending and recording.
 */
import { assert, assertEquals } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";
import { movableClock, NOW } from "../../helpers/fixtures.ts";
import { dueSends, publishTemplates } from "../../helpers/interventions.ts";
import { startHttpReceiver } from "../../plugins/http_receiver.ts";
import type { Clock } from "../../../engine/clock.ts";
import { loadConfig } from "../../../engine/config.ts";
import type { Db, Loadable } from "../../../engine/db/mod.ts";
import { Dispatcher, linkSigner, messageBuilder } from "../../../engine/interventions/mod.ts";
import { readDomainEvents } from "../../../engine/events/mod.ts";
import { silentLogger } from "../../../engine/log.ts";
import { type ChannelRegistry, loadChannelPlugins } from "../../../engine/plugins/mod.ts";
import { firstPartyChannelPlugins } from "../../../plugins/mod.ts";
import { verifyWebhookSignature } from "../../../plugins/webhook/mod.ts";

const SECRET = "webhook-secret-0123456789";

async function dispatcherOn(
  db: Db,
  channels: ChannelRegistry,
  clock: Clock,
  worker: string,
): Promise<Dispatcher> {
  return new Dispatcher({
    db,
    clock,
    log: silentLogger,
    channel: (kind) => channels.get(kind),
    build: messageBuilder(db, {
      signer: await linkSigner(db, NOW),
      publicUrl: "http://127.0.0.1:8080",
      now: () => clock.now(),
    }),
    worker,
    batchSize: 50,
    concurrency: 16,
    maxAttempts: 5,
    leaseSeconds: 60,
  });
}

async function drain(dispatcher: Dispatcher): Promise<number> {
  let sent = 0;
  for (;;) {
    const pass = await dispatcher.runOnce();
    sent += pass.sent;
    if (pass.claimed === 0) return sent;
  }
}

Deno.test("two workers on 1,000 due interventions: the webhook receiver gets each once, signed", async () => {
  const receiver = startHttpReceiver();
  try {
    await withApi(async (api) => {
      await publishTemplates(api.db, [["test_webhook", "webhook"]]);
      await dueSends(api.db, 1000, { channel: "webhook", template: "test_webhook" });
      const config = loadConfig({
        INTERVENTION_WEBHOOK_URL: receiver.url,
        INTERVENTION_WEBHOOK_SECRET: SECRET,
      });
      const channels = await loadChannelPlugins(firstPartyChannelPlugins, {
        config,
        db: api.db,
        log: silentLogger,
      });
      try {
        const clock = movableClock();
        const [a, b] = await Promise.all([
          drain(await dispatcherOn(api.db, channels, clock, "worker-a")),
          drain(await dispatcherOn(api.db, channels, clock, "worker-b")),
        ]);
        assertEquals(a + b, 1000);
        assert(a > 0 && b > 0, `both workers sent: ${a} and ${b}`);
      } finally {
        await channels.closeAll();
      }
      assertEquals(receiver.received.length, 1000);
      const keys = new Set(receiver.received.map((r) => r.headers.get("idempotency-key")));
      assertEquals(keys.size, 1000);
      const first = receiver.received[0]!;
      const body = JSON.parse(first.body);
      assertEquals(body.text, `Hi ${body.customer.name}`); // rendered from the template
      assert(
        await verifyWebhookSignature(
          SECRET,
          first.headers.get("x-cs-timestamp")!,
          first.body,
          first.headers.get("x-cs-signature")!,
          { toleranceSeconds: 1e9, now: new Date() },
        ),
      );
      const [row] = await api.db.query<{ sent: number }>(
        "select count(*)::int as sent from success_interventions where status = 'sent'",
      );
      assertEquals(row?.sent, 1000);
    });
  } finally {
    await receiver.close();
  }
});

Deno.test("a worker killed between sending and recording: after recovery the customer has one message", async () => {
  await withApi(async (api) => {
    await publishTemplates(api.db, [["test_tip", "in-app"]]);
    const [customerId] = await dueSends(api.db, 1, { channel: "in-app", template: "test_tip" });
    const channels = await loadChannelPlugins(firstPartyChannelPlugins, {
      config: loadConfig({}),
      db: api.db,
      log: silentLogger,
    });
    const clock = movableClock();
    // Worker A sends, then its process dies before it records: the statement
    // that records results never reaches the database.
    let killed = false;
    const dying: Db = {
      ...api.db,
      query: ((sql: string, ...rest: unknown[]) => {
        if (sql.trimStart().startsWith("with results as")) {
          killed = true;
          return Promise.reject(new Error("the worker's process was killed"));
        }
        return (api.db.query as (sql: string, ...rest: unknown[]) => Promise<unknown[]>)(
          sql,
          ...rest,
        );
      }) as Loadable["query"],
    };
    const a = await dispatcherOn(dying, channels, clock, "worker-a");
    const failed = await a.runOnce().then(() => null, (error: Error) => error);
    assert(killed && failed !== null, "worker A died after sending");
    const inbox = () => api.call("GET", `/api/v1/customers/${customerId}/inbox`);
    assertEquals((await inbox()).body.items.length, 1);
    const [left] = await api.db.query<{ status: string }>(
      "select status from success_interventions",
    );
    assertEquals(left?.status, "sending"); // nobody knows it went

    // Worker B: nothing to claim while A's lease runs; after it, the send is
    // claimed again, sent with the same dedup key, and recorded.
    const b = await dispatcherOn(api.db, channels, clock, "worker-b");
    assertEquals((await b.runOnce()).claimed, 0);
    clock.advance(61_000);
    const pass = await b.runOnce();
    assertEquals([pass.claimed, pass.sent], [1, 1]);
    const messages = (await inbox()).body.items;
    assertEquals(messages.length, 1, "the customer has exactly one message");
    const [done] = await api.db.query<{ status: string; attempts: number }>(
      "select status, attempts from success_interventions",
    );
    assertEquals([done?.status, done?.attempts], ["delivered", 2]);
    // Worker A's send was never recorded, so it was never told: one event, for B's attempt.
    const { events } = await readDomainEvents(api.db, {
      types: ["intervention.sent", "intervention.failed"],
    });
    assertEquals(events.map((e) => [e.type, e.customerId, e.payload.status, e.payload.attempt]), [
      ["intervention.sent", customerId, "delivered", 2],
    ]);
    await channels.closeAll();
  });
});
