import { assertEquals } from "../helpers/assert.ts";
import { firstPartyChannelPlugins } from "../../plugins/mod.ts";

const root = new URL("../../plugins/", import.meta.url);

Deno.test("each first-party plugin's manifest matches its module and declares channels", async () => {
  for (const plugin of firstPartyChannelPlugins) {
    const manifest = JSON.parse(
      await Deno.readTextFile(new URL(`${plugin.name}/manifest.json`, root)),
    );
    assertEquals(Object.keys(manifest).sort(), [
      "capabilities",
      "description",
      "name",
      "permissions",
      "version",
    ]);
    assertEquals([manifest.name, manifest.version], [plugin.name, plugin.version]);
    assertEquals(manifest.capabilities, ["channels"]);
    assertEquals(typeof manifest.description, "string");
    assertEquals(
      manifest.permissions.every((p: unknown) =>
        ["net", "env", "read", "write"].includes(String(p))
      ),
      true,
    );
    await Deno.stat(new URL(`${plugin.name}/README.md`, root));
  }
});
