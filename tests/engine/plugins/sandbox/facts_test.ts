import { assertEquals, assertRejects } from "../../../helpers/assert.ts";
import { EngineError } from "../../../../engine/errors.ts";
import { milestone, noSignal, startFixture } from "./helpers.ts";

const asOf = new Date("2026-06-15T12:00:00Z");

Deno.test("a sandboxed plugin handles the events it subscribes to and answers its facts", async () => {
  const { plugin } = await startFixture("steady");
  try {
    await plugin.handle(milestone(1), noSignal);
    await plugin.handle(milestone(2), noSignal);
    // An event type it has no handler for resolves at once, without reaching the plugin.
    await plugin.handle({ ...milestone(3), type: "health.changed" }, noSignal);
    assertEquals(await plugin.facts(["sup_1", "sup_2"], asOf), {
      sup_1: { events_seen: 2 },
      sup_2: { events_seen: 2 },
    });
    assertEquals(plugin.sandboxed, true);
  } finally {
    await plugin.stop();
  }
});

Deno.test("a sandboxed plugin's facts hook returning an undeclared fact fails with what to declare", async () => {
  const { plugin } = await startFixture("steady", {
    edit: (m) => ({
      ...m,
      capabilities: {
        ...m.capabilities,
        facts: [{ name: "bookings", type: "number", description: "Bookings this month" }],
      },
    }),
  });
  try {
    const error = await assertRejects(() => plugin.facts(["sup_1"], asOf), EngineError);
    assertEquals(error.code, "PLUGIN_CAPABILITY_UNDECLARED");
    assertEquals(
      error.message,
      'Plugin "steady": its facts hook returned "events_seen", which its plugin.json does not declare; ' +
        "add it to capabilities.facts",
    );
  } finally {
    await plugin.stop();
  }
});
