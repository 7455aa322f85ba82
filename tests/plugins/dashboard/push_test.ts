// First: the API module extends zod with .openapi(), which schemas built before it would lack.
import { type FeedServer, withFeedServer } from "./feed_server.ts";
import { assertEquals, assertMatch } from "../../helpers/assert.ts";
import { feedEventTypes } from "../../../plugins/dashboard/mod.ts";
import { startWsReceiver } from "./ws_receiver.ts";

/** Waits until the plugin's health is `status`; returns its detail. */
async function healthBecomes(
  feed: FeedServer,
  status: string,
  timeoutMs = 10_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const health = await feed.plugin().health();
    if (health.status === status) return health.detail;
    if (Date.now() > deadline) {
      throw new Error(`Health is still ${health.status}: ${health.detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

Deno.test("dashboard push - the feed goes to DASHBOARD_WS_ENDPOINT, and on after the endpoint restarts", async () => {
  const receiver = startWsReceiver();
  try {
    await withFeedServer(async (feed) => {
      const [hello] = await receiver.waitFor(0, 1);
      assertEquals([hello!.type, hello!.seq, hello!.dropped], ["hello", 1, 0]);
      assertEquals(hello!.events, [...feedEventTypes]);
      assertEquals(hello!.actor, undefined);
      assertMatch(
        await healthBecomes(feed, "healthy"),
        new RegExp(`; connected to ws://127\\.0\\.0\\.1:${receiver.port}/feed since `),
      );

      await feed.publish("milestone.achieved", "sup_1", { milestone: "profile_completed" });
      const first = await receiver.waitFor(0, 3);
      assertEquals(
        first.slice(1).map((m) => [m.seq, m.type, m.event?.id ?? m.eventId]),
        [[2, "event", 1], [3, "delta", 1]],
      );

      await receiver.stop();
      assertMatch(
        await healthBecomes(feed, "degraded"),
        /; not connected to ws:\/\/127\.0\.0\.1:\d+\/feed \(closed with 1012 \(restarting\)\), connecting again with backoff; 0 message\(s\) dropped/,
      );
      // Kept while the endpoint is away, sent when it is back.
      await feed.publish("rule.disabled", null, { ruleId: "a" });
      await feed.publish("rule.disabled", null, { ruleId: "b" });
      receiver.restart();

      const second = await receiver.waitFor(1, 3);
      assertEquals([second[0]!.type, second[0]!.seq, second[0]!.dropped], ["hello", 1, 0]);
      assertEquals(second[0]!.metrics.milestonesAchieved, 1);
      assertEquals(
        second.slice(1).map((m) => [m.seq, m.type, m.event.id]),
        [[2, "event", 2], [3, "event", 3]],
      );
      await feed.publish("rule.disabled", null, { ruleId: "c" });
      const [, , , after] = await receiver.waitFor(1, 4);
      assertEquals([after!.seq, after!.event.id], [4, 4]);

      const status = await feed.api.call("GET", "/plugins/dashboard/status");
      assertEquals(status.body.push.connected, true);
      assertEquals(status.body.push.connections, 2);
      assertEquals(status.body.push.endpoint, receiver.url);
      assertEquals(receiver.connections.length, 2);
    }, { env: { DASHBOARD_WS_ENDPOINT: receiver.url } });
  } finally {
    await receiver.stop();
  }
});

Deno.test("dashboard push - while the endpoint is unreachable the newest pushBufferMessages wait; older are dropped and counted", async () => {
  const receiver = startWsReceiver();
  await receiver.stop();
  try {
    await withFeedServer(async (feed) => {
      for (const ruleId of ["a", "b", "c", "d", "e"]) {
        await feed.publish("rule.disabled", null, { ruleId });
      }
      assertMatch(
        await healthBecomes(feed, "degraded"),
        /; 2 message\(s\) dropped while it was unreachable or too slow, 3 waiting$/,
      );
      receiver.restart();
      const messages = await receiver.waitFor(0, 4);
      assertEquals([messages[0]!.type, messages[0]!.dropped], ["hello", 2]);
      assertEquals(
        messages.slice(1).map((m) => [m.seq, m.event.payload.ruleId]),
        [[2, "c"], [3, "d"], [4, "e"]],
      );
      await healthBecomes(feed, "healthy");
    }, {
      env: { DASHBOARD_WS_ENDPOINT: receiver.url },
      config: { pushBufferMessages: 3 },
    });
  } finally {
    await receiver.stop();
  }
});
