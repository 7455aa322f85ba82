// First: the API module extends zod with .openapi(), which schemas built before it would lack.
import { withFeedServer } from "./feed_server.ts";
import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { firstParty } from "../../../engine/plugins/mod.ts";
import { startPluginForTest } from "../../../engine/plugins/testing/mod.ts";
import definition, { feedEventTypes, metricNames } from "../../../plugins/dashboard/mod.ts";
import manifest from "../../../plugins/dashboard/plugin.json" with { type: "json" };
import { connectFeed, type FeedMessage } from "./feed_client.ts";
import { rawUpgrade } from "./raw_client.ts";

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function health(
  score: number,
  previous: number | null,
  atRisk: number,
  previousAtRisk: number | null,
) {
  return {
    score,
    previousScore: previous,
    atRiskScore: atRisk,
    previousAtRiskScore: previousAtRisk,
    modelVersion: "1.0.0",
  };
}

/** The messages without what changes from run to run (times, the token's id). */
function shapes(messages: FeedMessage[]): FeedMessage[] {
  return messages.map((m) => {
    if (m.type === "hello") {
      return { type: m.type, seq: m.seq, events: m.events, role: m.actor?.role };
    }
    if (m.type === "event") return { type: m.type, seq: m.seq, id: m.event.id, of: m.event.type };
    if (m.type === "delta") {
      return { type: m.type, seq: m.seq, eventId: m.eventId, changes: m.changes };
    }
    return m;
  });
}

Deno.test("dashboard /ws - a signed-in client gets its hello, then each event and the deltas it caused, in order", async () => {
  await withFeedServer(async (feed) => {
    const client = await connectFeed(
      feed.wsUrl({ access_token: feed.api.tokens["success-analyst"] }),
    );
    const [hello] = await client.waitFor(1);
    assertEquals(hello!.type, "hello");
    assertEquals(hello!.seq, 1);
    assertEquals(hello!.protocol, 1);
    assertMatch(hello!.serverTime, ISO);
    assertEquals(hello!.plugin, { name: "dashboard", version: "1.0.0" });
    assertEquals(hello!.actor.role, "success-analyst");
    assertEquals(hello!.events, [...feedEventTypes]);
    assertEquals(Object.keys(hello!.metrics), [...metricNames]);
    assertEquals(hello!.heartbeatSeconds, 30);
    assertEquals(hello!.limits, {
      maxQueuedMessages: 1000,
      maxQueuedBytes: 4194304,
      maxInvalidMessages: 5,
    });

    await feed.publish("customer.updated", "sup_1", { created: true });
    await feed.publish("health.changed", "sup_1", health(40, null, 80, null));
    const sent = await feed.publish("intervention.sent", "sup_1", { interventionId: 7 });
    await feed.publish("rule.disabled", null, { ruleId: "broken", version: 1 });
    // The hub delivers at least once: the same event again is not sent again.
    await feed.plugin().handle(sent, AbortSignal.timeout(5_000));
    await feed.publish("health.changed", "sup_1", health(72, 40, 30, 80));
    await client.waitFor(10);

    const messages = client.messages;
    assertEquals(messages.map((m) => m.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assertEquals(shapes(messages.slice(1)), [
      { type: "event", seq: 2, id: 1, of: "customer.updated" },
      {
        type: "delta",
        seq: 3,
        eventId: 1,
        changes: [{ metric: "customersAdded", previous: 0, value: 1, change: 1 }],
      },
      { type: "event", seq: 4, id: 2, of: "health.changed" },
      {
        type: "delta",
        seq: 5,
        eventId: 2,
        changes: [
          { metric: "atRiskCustomers", previous: 0, value: 1, change: 1 },
          { metric: "averageHealth", previous: null, value: 40, change: null },
        ],
      },
      { type: "event", seq: 6, id: 3, of: "intervention.sent" },
      {
        type: "delta",
        seq: 7,
        eventId: 3,
        changes: [{ metric: "interventionsSent", previous: 0, value: 1, change: 1 }],
      },
      // rule.disabled moves no metric: an event, no delta.
      { type: "event", seq: 8, id: 4, of: "rule.disabled" },
      { type: "event", seq: 9, id: 5, of: "health.changed" },
      {
        type: "delta",
        seq: 10,
        eventId: 5,
        changes: [
          { metric: "atRiskCustomers", previous: 1, value: 0, change: -1 },
          { metric: "averageHealth", previous: 40, value: 72, change: 32 },
        ],
      },
    ]);
    assertEquals(messages[3]!.event, {
      id: 2,
      type: "health.changed",
      customerId: "sup_1",
      payload: health(40, null, 80, null),
      occurredAt: "2026-06-15T12:00:00.002Z",
      recordedAt: "2026-06-15T12:00:00.002Z",
    });
    assertEquals(messages[4]!.eventType, "health.changed");
    assertEquals(messages[4]!.occurredAt, "2026-06-15T12:00:00.002Z");

    // A client that joins later starts from the metrics as they are now.
    const late = await connectFeed(feed.wsUrl());
    const [lateHello] = await late.waitFor(1);
    assertEquals(lateHello!.metrics.customersAdded, 1);
    assertEquals(lateHello!.metrics.averageHealth, 72);
    assertEquals(lateHello!.actor.role, "admin");
    await late.close();
    await client.close();
  });
});

Deno.test("dashboard /ws - ?events= and subscribe choose the events; deltas and pongs come whatever was chosen", async () => {
  await withFeedServer(async (feed) => {
    const client = await connectFeed(feed.wsUrl({ events: "churn.predicted, health.changed" }));
    const [hello] = await client.waitFor(1);
    assertEquals(hello!.events, ["health.changed", "churn.predicted"]);

    await feed.publish("milestone.achieved", "sup_1", { milestone: "profile_completed" });
    await feed.publish("churn.predicted", "sup_1", { probability: 0.8, previousProbability: null });
    client.send(JSON.stringify({ type: "ping", id: "p-1" }));
    const pong = await client.next("pong");
    assertEquals([pong.id, pong.seq], ["p-1", 5]);
    assertMatch(pong.serverTime, ISO);
    assertEquals(
      client.messages.slice(1, 4).map((m) => [m.type, m.event?.type ?? m.eventType]),
      [["delta", "milestone.achieved"], ["event", "churn.predicted"], ["delta", "churn.predicted"]],
    );

    client.send(JSON.stringify({ type: "subscribe", events: ["milestone.achieved"] }));
    const subscribed = await client.next("subscribed");
    assertEquals(subscribed.events, ["milestone.achieved"]);
    const from = client.messages.length;
    await feed.publish("churn.predicted", "sup_2", { probability: 0.1, previousProbability: null });
    await feed.publish("milestone.achieved", "sup_2", { milestone: "profile_completed" });
    await client.waitFor(from + 2);
    assertEquals(
      client.messages.slice(from).map((m) => [m.type, m.event?.type ?? m.eventType]),
      [["event", "milestone.achieved"], ["delta", "milestone.achieved"]],
    );
    await client.close();
  });
});

Deno.test("dashboard /ws - an upgrade without a valid token is refused with 401 and never reaches the feed", async () => {
  await withFeedServer(async (feed) => {
    for (const query of ["", "?access_token=not-a-token"]) {
      const raw = await rawUpgrade(feed.port, `/plugins/dashboard/ws${query}`);
      assertEquals(raw.answer.status, 401);
      assertEquals(raw.answer.headers.get("content-type"), "application/problem+json");
      const problem = JSON.parse(raw.answer.body);
      assertEquals(problem.code, "UNAUTHENTICATED");
      assertMatch(problem.detail, /\?access_token=/);
      raw.close();
    }
    const status = await feed.api.call("GET", "/plugins/dashboard/status");
    assertEquals([status.status, status.body.clients], [200, 0]);
  });
});

Deno.test("dashboard /ws - a plain GET or an unknown event type is answered 400 saying what to send", async () => {
  await withFeedServer(async (feed) => {
    const plain = await feed.api.call("GET", "/plugins/dashboard/ws");
    assertEquals([plain.status, plain.body.code], [400, "VALIDATION_FAILED"]);
    assertMatch(plain.body.detail, /is a WebSocket: connect with new WebSocket/);
    assertEquals(plain.body.errors, [{ path: "headers.upgrade", message: 'must be "websocket"' }]);

    const query = new URLSearchParams({
      access_token: feed.api.tokens.admin,
      events: "health.chnged",
    });
    const raw = await rawUpgrade(feed.port, `/plugins/dashboard/ws?${query}`);
    assertEquals(raw.answer.status, 400);
    const problem = JSON.parse(raw.answer.body);
    assertEquals(problem.errors[0].path, "query.events");
    assertMatch(
      problem.errors[0].message,
      /must be one of the feed's event types: customer\.updated/,
    );
    raw.close();
  });
});

Deno.test("dashboard /ws - a role without read:metrics is refused with FORBIDDEN", async () => {
  const run = await startPluginForTest({
    plugin: firstParty(manifest, definition, "plugins/dashboard"),
  });
  try {
    const refused = await run.request("/ws", { actor: { id: "token:9 (kiosk)", role: "kiosk" } });
    const body = await refused.json();
    assertEquals([refused.status, body.code], [403, "FORBIDDEN"]);
    assertEquals(
      body.detail,
      "The dashboard feed needs a role with read:metrics (success-analyst, success-manager or " +
        'admin); the role "kiosk" does not have it',
    );
    const anonymous = await run.request("/status", { actor: null });
    assertEquals([anonymous.status, (await anonymous.json()).code], [401, "UNAUTHENTICATED"]);
  } finally {
    await run.stop();
  }
});

Deno.test("dashboard /ws - garbage is answered with an error; the fifth closes the client with 1008; others go on", async () => {
  await withFeedServer(async (feed) => {
    const rude = await connectFeed(feed.wsUrl());
    const polite = await connectFeed(feed.wsUrl());
    await rude.waitFor(1);
    await polite.waitFor(1);
    const garbage: Array<string | Uint8Array> = [
      "hello?",
      new Uint8Array([1, 2, 3]),
      JSON.stringify({ type: "unsubscribe" }),
      JSON.stringify({ type: "subscribe", events: ["health.chnged"] }),
      JSON.stringify({ type: "ping", id: "x".repeat(5000) }),
    ];
    for (const message of garbage) rude.send(message);
    const closed = await rude.closed;
    assertEquals(closed, { code: 1008, reason: "closed after 5 invalid messages" });
    const errors = rude.messages.filter((m) => m.type === "error");
    assertEquals(errors.map((e) => [e.seq, e.code, e.invalidMessages, e.maxInvalidMessages]), [
      [2, "INVALID_MESSAGE", 1, 5],
      [3, "INVALID_MESSAGE", 2, 5],
      [4, "INVALID_MESSAGE", 3, 5],
      [5, "INVALID_MESSAGE", 4, 5],
      [6, "INVALID_MESSAGE", 5, 5],
    ]);
    assertEquals(errors.slice(0, 4).map((e) => e.message), [
      'Not JSON: send an object such as {"type":"ping"}',
      "Binary messages are not understood: send JSON text",
      'Not a message of this feed: type: must have "type": "ping" or "subscribe"',
      "Not a message of this feed: events.0: must be one of the feed's event types: " +
      feedEventTypes.join(", "),
    ]);
    assertEquals(
      errors[4]!.message,
      "Messages are at most 4096 bytes; that is 5 invalid messages, so the connection closes",
    );

    await feed.publish("milestone.achieved", "sup_1", { milestone: "profile_completed" });
    const event = await polite.next("event");
    assertEquals(event.seq, 2);
    const status = await feed.api.call("GET", "/plugins/dashboard/status");
    assertEquals([status.body.clients, status.body.dropped], [1, { slow: 0, invalid: 1 }]);
    assertMatch(
      (await feed.plugin().health()).detail,
      /^1 client\(s\) connected; 0 dropped as too slow, 1 closed after invalid messages;/,
    );
    await polite.close();
  });
});

Deno.test("dashboard /ws - heartbeats come every heartbeatSeconds; stopping the plugin closes clients with 1001", async () => {
  await withFeedServer(async (feed) => {
    const client = await connectFeed(feed.wsUrl());
    const heartbeat = await client.next("heartbeat", 1, 3_000);
    assertEquals(heartbeat.seq, 2);
    assertMatch(heartbeat.serverTime, ISO);

    const disabled = await feed.api.call("PUT", "/api/v1/plugins/dashboard", { enabled: false });
    assertEquals(disabled.status, 200);
    assertEquals(await client.closed, { code: 1001, reason: "the dashboard feed is stopping" });
    const url = new URL(feed.wsUrl());
    const gone = await rawUpgrade(feed.port, url.pathname + url.search);
    assertEquals(gone.answer.status, 503);
    gone.close();
  }, { config: { heartbeatSeconds: 1 } });
});

Deno.test("dashboard /status - shows clients, drops, the metrics and no push endpoint", async () => {
  await withFeedServer(async (feed) => {
    const client = await connectFeed(feed.wsUrl());
    await feed.publish("rule.fired", "sup_1", { ruleId: "r", ruleVersion: 1, intervention: null });
    await client.waitFor(3);
    const status = await feed.api.call("GET", "/plugins/dashboard/status", undefined, {
      authorization: `Bearer ${feed.api.tokens["success-analyst"]}`,
    });
    assertEquals(status.status, 200);
    assertEquals(status.body.clients, 1);
    assertEquals(status.body.metrics.rulesFired, 1);
    assertEquals(status.body.push, null);
    assert(ISO.test(status.body.metricsSince));
    assertEquals((await feed.plugin().health()).status, "healthy");
    await client.close();
  });
});
