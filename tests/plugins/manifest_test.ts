import { assertEquals } from "../helpers/assert.ts";
import { parseManifest } from "../../engine/plugins/mod.ts";
import { firstPartyPlugins } from "../../plugins/mod.ts";

const root = new URL("../../plugins/", import.meta.url);

Deno.test("each first-party plugin has a valid plugin.json, the module it describes and a README", async () => {
  for (const plugin of firstPartyPlugins) {
    const folder = plugin.folder.replace(/^plugins\//, "");
    const json = JSON.parse(await Deno.readTextFile(new URL(`${folder}/plugin.json`, root)));
    assertEquals(parseManifest(json, plugin.folder), plugin.manifest);
    assertEquals(plugin.manifest.name, folder);
    assertEquals(typeof plugin.definition.setup, "function");
    await Deno.stat(new URL(`${folder}/README.md`, root));
  }
});

Deno.test("the channel plugins declare the variables they read and nothing they do not use", () => {
  const declared = Object.fromEntries(
    firstPartyPlugins.map((p) => [p.manifest.name, {
      channels: p.manifest.capabilities.channels,
      env: p.manifest.permissions.env,
      subscriptions: p.manifest.capabilities.subscriptions,
    }]),
  );
  assertEquals(declared.email, {
    channels: ["email"],
    env: ["SMTP_URL", "EMAIL_FROM"],
    subscriptions: [],
  });
  assertEquals(declared["in-app"], { channels: ["in-app"], env: [], subscriptions: [] });
});
