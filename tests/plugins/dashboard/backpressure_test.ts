// First: the API module extends zod with .openapi(), which schemas built before it would lack.
import { withFeedServer } from "./feed_server.ts";
import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { connectFeed } from "./feed_client.ts";
import { rawUpgrade } from "./raw_client.ts";

// Large events fill the slow client's TCP window and the kernel's buffers (a few MB on
// loopback) in hundreds of events, not tens of thousands.
const NOTE = "n".repeat(16_000);
const MAX_EVENTS = 5_000;

Deno.test("dashboard /ws - a client that stops reading is dropped with 1013 while a fast one gets everything", async () => {
  await withFeedServer(async (feed) => {
    const fast = await connectFeed(feed.wsUrl());
    const url = new URL(feed.wsUrl());
    // Does the handshake, then reads nothing until the test says so.
    const slow = await rawUpgrade(feed.port, url.pathname + url.search);
    assertEquals(slow.answer.status, 101);
    await fast.waitFor(1);

    let published = 0;
    const dropped = async () =>
      (await feed.api.call("GET", "/plugins/dashboard/status")).body.dropped.slow === 1;
    while (published < MAX_EVENTS) {
      await feed.publish("rule.disabled", null, { ruleId: `rule-${published}`, note: NOTE });
      published++;
      // Let the sockets move between events, as the hub's database round trips do.
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (published % 50 === 0 && await dropped()) break;
    }
    assert(await dropped(), `The slow client was not dropped after ${published} events`);
    // The feed goes on after the drop.
    for (let i = 0; i < 10; i++) {
      await feed.publish("rule.disabled", null, { ruleId: `after-${i}`, note: NOTE });
      published++;
    }

    const all = await fast.waitFor(1 + published, 30_000);
    assertEquals(all.map((m) => m.seq), Array.from({ length: 1 + published }, (_, i) => i + 1));
    assertEquals(
      all.slice(1).map((m) => m.event.id),
      Array.from({ length: published }, (_, i) => i + 1),
    );

    // Reading now, the slow client finds what it was sent before the drop, then why it was closed.
    const { texts, code, reason } = await slow.readUntilClose(30_000);
    slow.close();
    assertEquals(code, 1013);
    assertMatch(reason, /^too slow: \d+ messages behind$/);
    const received = texts.map((text) => JSON.parse(text));
    assertEquals(received[0].type, "hello");
    assertEquals(
      received.map((m) => m.seq),
      Array.from({ length: received.length }, (_, i) => i + 1),
    );
    assert(received.length - 1 < published, "The slow client cannot have got every event");

    const status = await feed.api.call("GET", "/plugins/dashboard/status");
    assertEquals([status.body.clients, status.body.dropped], [1, { slow: 1, invalid: 0 }]);
    assertMatch(
      (await feed.plugin().health()).detail,
      /^1 client\(s\) connected; 1 dropped as too slow, 0 closed after invalid messages;/,
    );
    await fast.close();
  }, { config: { maxQueuedBytes: 1_048_576 } });
});
