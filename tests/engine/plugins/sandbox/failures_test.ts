import { assert, assertEquals, assertMatch, assertRejects } from "../../../helpers/assert.ts";
import { EngineError } from "../../../../engine/errors.ts";
import type { RunningPlugin } from "../../../../engine/plugins/mod.ts";
import {
  eventually,
  type LogLine,
  milestone,
  noSignal,
  quickRestarts,
  startFixture,
} from "./helpers.ts";

const asOf = new Date("2026-06-15T12:00:00Z");

async function callsSinceStart(plugin: RunningPlugin): Promise<unknown> {
  const facts = await plugin.facts(["sup_1"], asOf);
  return facts.sup_1?.calls_since_start;
}

function isWaiting(lines: LogLine[], event: number): boolean {
  return lines.some((line) => line.message === "waiting for the signal" && line.event === event);
}

async function serves(plugin: RunningPlugin): Promise<boolean> {
  try {
    await plugin.handle(milestone(99), noSignal);
    return true;
  } catch {
    return false;
  }
}

Deno.test("a handler that throws fails that call with the plugin's message; the next call works", async () => {
  const { plugin } = await startFixture("faulty");
  try {
    const error = await assertRejects(
      () => plugin.handle(milestone(1, { mode: "throw" }), noSignal),
      Error,
    );
    assertEquals(error.message, "The CRM refused the milestone: quota exceeded");
    await plugin.handle(milestone(2), noSignal);
    // The same Worker answered both: no restart.
    assertEquals(await callsSinceStart(plugin), 2);
    assertEquals(await plugin.health(), { status: "healthy", detail: "connected to the CRM" });
  } finally {
    await plugin.stop();
  }
});

Deno.test("a handler that hangs times out, its Worker is restarted, and another plugin answers meanwhile", async () => {
  const { plugin: faulty, lines } = await startFixture("faulty", {
    callTimeoutMs: 2_500,
    restart: quickRestarts,
  });
  const { plugin: steady } = await startFixture("steady");
  try {
    // A loop that never yields: nothing inside the Worker can interrupt it.
    const hung = faulty.handle(milestone(1, { mode: "spin" }), noSignal);
    let hungSettled = false;
    hung.then(() => (hungSettled = true), () => (hungSettled = true));
    for (let id = 1; id <= 5; id++) await steady.handle(milestone(id), noSignal);
    assertEquals(await steady.facts(["sup_1"], asOf), { sup_1: { events_seen: 5 } });
    assert(!hungSettled, "the other plugin answered only after the hung call gave up");

    const error = await assertRejects(() => hung, EngineError);
    assertEquals(error.code, "PLUGIN_UNAVAILABLE");
    assertEquals(
      error.message,
      'Plugin "faulty": its on["milestone.achieved"] handler did not answer within 2500 ms; ' +
        "its Worker was ended and will be restarted",
    );
    await eventually("the faulty plugin serves again", () => serves(faulty));
    assertEquals(await callsSinceStart(faulty), 1);
    const health = await faulty.health();
    assertEquals(health.status, "healthy");
    assertMatch(
      health.detail,
      /sandbox restarted 1 time; last error: its on\["milestone\.achieved"\] handler did not answer within 2500 ms/,
    );
    assert(
      lines.some((line) =>
        line.message === "plugin crashed; restarting" && line.plugin === "faulty"
      ),
    );
  } finally {
    await faulty.stop();
    await steady.stop();
  }
});

Deno.test("a caller that stops waiting gets its own abort reason, and the plugin sees the signal", async () => {
  const { plugin, lines } = await startFixture("faulty", { callTimeoutMs: 5_000 });
  try {
    const controller = new AbortController();
    const waiting = plugin.handle(milestone(1, { mode: "wait" }), controller.signal);
    await eventually("the handler runs", () => Promise.resolve(isWaiting(lines, 1)));
    controller.abort(new Error("The event hub's timeout passed"));
    const error = await assertRejects(() => waiting, Error);
    assertEquals(error.message, "The event hub's timeout passed");
    // The handler honoured the abort, so the same Worker goes on.
    await plugin.handle(milestone(2), noSignal);
    assertEquals(await callsSinceStart(plugin), 2);
  } finally {
    await plugin.stop();
  }
});

for (
  const [mode, reason] of [
    ["crash", "it crashed: Uncaught Error: Lost the CRM connection"],
    ["reject", "it crashed: Uncaught (in promise) Error: A background sync failed"],
    ["close", "the plugin closed its Worker (self.close())"],
  ] as const
) {
  Deno.test(`a Worker that ends (${mode}) fails its pending calls, is restarted and serves again`, async () => {
    const { plugin, lines } = await startFixture("faulty", { restart: quickRestarts });
    try {
      const pending = plugin.handle(milestone(1, { mode: "wait" }), noSignal);
      await eventually("the first handler runs", () => Promise.resolve(isWaiting(lines, 1)));
      // A closing handler ends its Worker before it can answer; the others answer first.
      await plugin.handle(milestone(2, { mode }), noSignal).catch(() => {});
      const error = await assertRejects(() => pending, EngineError);
      assertEquals(
        error.message,
        `Plugin "faulty": its Worker stopped before its on["milestone.achieved"] handler answered: ${reason}`,
      );
      await eventually("the plugin serves again", () => serves(plugin));
      assertEquals(await callsSinceStart(plugin), 1);
      const health = await plugin.health();
      assertEquals(health, {
        status: "healthy",
        detail: `connected to the CRM (sandbox restarted 1 time; last error: ${reason})`,
      });
    } finally {
      await plugin.stop();
    }
  });
}

Deno.test("a plugin that keeps crashing stays down, reports unhealthy, and is tried again later", async () => {
  const { plugin } = await startFixture("faulty", {
    restart: { ...quickRestarts, maxCrashes: 2, cooldownMs: 1_000 },
  });
  try {
    await plugin.handle(milestone(1, { mode: "crash" }), noSignal);
    await eventually("the first restart", () => serves(plugin));
    await plugin.handle(milestone(2, { mode: "crash" }), noSignal);
    await eventually(
      "the plugin is down",
      async () => (await plugin.health()).status === "unhealthy",
    );
    const health = await plugin.health();
    assertMatch(
      health.detail,
      /^Plugin "faulty" crashed 2 times within 60 s, so it stays down until \d{4}-.*Z; last error: it crashed: Uncaught Error: Lost the CRM connection$/,
    );
    const refused = await assertRejects(() => plugin.facts(["sup_1"], asOf), EngineError);
    assertEquals([refused.code, refused.message], ["PLUGIN_UNAVAILABLE", health.detail]);
    await eventually("the plugin is back after its cool-down", () => serves(plugin));
    assertEquals((await plugin.health()).status, "healthy");
  } finally {
    await plugin.stop();
  }
});

Deno.test("stop() ends the Worker; later calls and health say the plugin is stopped", async () => {
  const { plugin } = await startFixture("steady");
  await plugin.stop();
  await plugin.stop();
  const error = await assertRejects(() => plugin.handle(milestone(1), noSignal), EngineError);
  assertEquals([error.code, error.message], ["PLUGIN_UNAVAILABLE", 'Plugin "steady" is stopped']);
  assertEquals(await plugin.health(), {
    status: "unhealthy",
    detail: 'Plugin "steady" is stopped',
  });
});

Deno.test("stop() gives a hanging stop hook its time, then ends the Worker anyway", async () => {
  const { plugin, lines } = await startFixture("faulty", {
    config: { hangOnStop: true },
    stopTimeoutMs: 200,
  });
  await plugin.stop();
  const warning = lines.find((line) => line.message === "stopping the plugin failed");
  assertEquals(
    warning?.error,
    'Plugin "faulty": its stop hook did not answer within 200 ms; its Worker was ended',
  );
  assertEquals((await plugin.health()).status, "unhealthy");
});
