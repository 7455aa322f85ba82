import { assertEquals, assertThrows } from "../../../helpers/assert.ts";
import { EngineError } from "../../../../engine/errors.ts";
import { checkHooks } from "../../../../engine/plugins/mod.ts";
import { fixtureManifest, startFixture } from "./helpers.ts";

Deno.test("a sandboxed plugin exports and erases a customer through its privacy hooks", async () => {
  const { plugin } = await startFixture("keeper");
  try {
    assertEquals(await plugin.exportCustomer("sup_1"), {
      notes: [{ customerId: "sup_1", note: "Prefers calls after 6pm" }],
    });
    assertEquals(await plugin.eraseCustomer("sup_1", "erased_x"), { notes: 1 });
    assertEquals(await plugin.exportCustomer("sup_1"), { notes: [] });
    // Erasing again is harmless: a failed deletion is asked again.
    assertEquals(await plugin.eraseCustomer("sup_1", "erased_y"), { notes: 0 });
  } finally {
    await plugin.stop();
  }
});

Deno.test("privacy hooks must be declared, and a plugin that declares personalData needs both", async () => {
  const manifest = await fixtureManifest("keeper");
  const hooks = {
    exportCustomer: () => Promise.resolve({}),
    eraseCustomer: () => Promise.resolve({}),
  };
  const undeclared = assertThrows(
    () =>
      checkHooks(
        { ...manifest, capabilities: { ...manifest.capabilities, personalData: false } },
        hooks,
      ),
    EngineError,
  );
  assertEquals(undeclared.code, "PLUGIN_CAPABILITY_UNDECLARED");
  assertEquals(
    undeclared.message,
    'Plugin "keeper": it has privacy hooks, which its plugin.json does not declare; ' +
      'add "personalData": true to capabilities',
  );
  const half = assertThrows(
    () => checkHooks(manifest, { exportCustomer: hooks.exportCustomer }),
    EngineError,
  );
  assertEquals(half.code, "PLUGIN_INVALID");
  assertEquals(
    half.message,
    'Cannot register plugin "keeper": plugin.json declares personalData, so setup must return ' +
      "both exportCustomer and eraseCustomer (privacy requests reach a plugin's data only " +
      "through them)",
  );
});
