// First: the API extends zod with OpenAPI, which the schemas made after it need.
import { withHubApi } from "./api_helpers.ts";
import { assertEquals, assertMatch } from "../../../helpers/assert.ts";
import { NOW } from "../../../helpers/fixtures.ts";
import { append, eventIds, recordingPlugin, until, whileRunning } from "./helpers.ts";

Deno.test("POST /api/v1/plugins/{name}/replay replays from an id or a time, with an audit entry", async () => {
  const crm = recordingPlugin("crm", ["customer.updated"]);
  await withHubApi([crm], async ({ db, hub, call }) => {
    await append(db, [{}, {}, {}]);
    await whileRunning(hub!, async () => {
      await until("the first delivery", () => crm.received.length === 3);
      const second = (await eventIds(db))[1]!;
      const byId = await call("POST", `/api/v1/plugins/crm/replay?from=${second}`, {
        body: { reason: "the CRM restored a backup" },
      });
      assertEquals([byId.status, byId.body], [202, {
        plugin: "crm",
        fromEventId: second,
        events: 2,
      }]);
      await until("the replay", () => crm.received.length === 5);
      const byTime = await call("POST", "/api/v1/plugins/crm/replay?from=2026-06-15T11:00:00Z");
      assertEquals(byTime.status, 202);
    });
    const audit = await call("GET", "/api/v1/audit?subjectType=plugin&subjectId=crm");
    const [latest, first] = audit.body.items;
    assertEquals([first.action, first.reason], [
      "plugin.events_replayed",
      "the CRM restored a backup",
    ]);
    assertMatch(first.actor, /^token:\d+ \(test-admin\)$/);
    assertEquals(first.after.from, { eventId: (await eventIds(db))[1] });
    assertEquals(latest.after.from, { time: "2026-06-15T11:00:00.000Z" });
  });
});

Deno.test("POST /api/v1/plugins/{name}/replay says what is wrong with a bad from or plugin", async () => {
  await withHubApi([recordingPlugin("crm", ["customer.updated"])], async ({ db, call }) => {
    await append(db, [{}]);
    const newest = (await eventIds(db))[0]!;

    const garbled = await call("POST", "/api/v1/plugins/crm/replay?from=yesterday");
    assertEquals([garbled.status, garbled.body.code], [400, "VALIDATION_FAILED"]);
    assertEquals(garbled.body.errors[0].path, "query.from");
    assertMatch(garbled.body.errors[0].message, /an event id .* or an ISO 8601 time/);

    const missing = await call("POST", "/api/v1/plugins/crm/replay");
    assertEquals([missing.status, missing.body.errors[0].path], [400, "query.from"]);

    const tooFar = await call("POST", `/api/v1/plugins/crm/replay?from=${newest + 100}`);
    assertEquals([tooFar.status, tooFar.body.code], [400, "VALIDATION_FAILED"]);
    assertEquals(
      tooFar.body.detail,
      `Cannot replay from event ${newest + 100}: no event has that id or a later one ` +
        `(the newest event is ${newest})`,
    );

    const future = await call(
      "POST",
      `/api/v1/plugins/crm/replay?from=${new Date(NOW.getTime() + 60_000).toISOString()}`,
    );
    assertEquals([future.status, future.body.errors[0].message], [
      400,
      "must not be in the future",
    ]);

    const unknown = await call("POST", "/api/v1/plugins/nope/replay?from=1");
    assertEquals([unknown.status, unknown.body.code], [404, "PLUGIN_NOT_FOUND"]);
    assertEquals(unknown.body.detail, 'No plugin "nope" subscribes to events; those that do: crm');

    const analyst = await call("POST", "/api/v1/plugins/crm/replay?from=1", {
      role: "success-analyst",
    });
    assertEquals([analyst.status, analyst.body.code], [403, "FORBIDDEN"]);

    const audit = await call("GET", "/api/v1/audit?subjectType=plugin");
    assertEquals(audit.body.items, []);
  });
});

Deno.test("GET /api/v1/plugins/{name}/dead-letters lists them; POST …/dead-letters/replay delivers them again", async () => {
  let fixed = false;
  const viral = recordingPlugin("viral", ["customer.updated"], (event) => {
    if (event.payload.poison && !fixed) throw new Error("no referral code");
  });
  await withHubApi([viral], async ({ db, hub, call }) => {
    await whileRunning(hub!, async () => {
      await append(db, [{ payload: { poison: true } }, { payload: { poison: true } }, {}]);
      await until("the good event arrived", () => viral.received.length === 1);

      const page = await call("GET", "/api/v1/plugins/viral/dead-letters?limit=1", {
        role: "success-analyst",
      });
      assertEquals(page.status, 200);
      const [, second] = await eventIds(db);
      assertEquals(page.body.items.map((d: { eventId: number }) => d.eventId), [second]);
      assertEquals(page.body.items[0].lastError, "no referral code (gave up after 2 attempts)");
      const next = await call(
        "GET",
        `/api/v1/plugins/viral/dead-letters?limit=1&cursor=${page.body.nextCursor}`,
      );
      assertEquals([next.body.items.length, next.body.nextCursor], [1, null]);

      fixed = true;
      const replayed = await call("POST", "/api/v1/plugins/viral/dead-letters/replay", {
        body: { reason: "fixed the referral lookup" },
      });
      assertEquals([replayed.status, replayed.body], [202, { plugin: "viral", deadLetters: 2 }]);
      await until("the dead letters arrived", () => viral.received.length === 3);
    });
    const pending = await call("GET", "/api/v1/plugins/viral/dead-letters?status=pending");
    assertEquals(pending.body.items, []);
    const audit = await call("GET", "/api/v1/audit?subjectType=plugin&subjectId=viral");
    assertEquals(
      audit.body.items.map((e: { action: string; reason: string; after: unknown }) => [
        e.action,
        e.reason,
        e.after,
      ]),
      [["plugin.dead_letters_replayed", "fixed the referral lookup", { deadLetters: 2 }]],
    );
  }, { hub: { settings: { maxAttempts: 2 } } });
});

Deno.test("the plugin event routes answer 503 when the engine runs no event hub", async () => {
  await withHubApi(null, async ({ call }) => {
    const replay = await call("POST", "/api/v1/plugins/crm/replay?from=1");
    assertEquals([replay.status, replay.body.code], [503, "PLUGIN_UNAVAILABLE"]);
    assertMatch(replay.body.detail, /SUCCESS_EVENT_HUB_ENABLED=true/);
    const list = await call("GET", "/api/v1/plugins/crm/dead-letters");
    assertEquals(list.status, 503);
  });
});
