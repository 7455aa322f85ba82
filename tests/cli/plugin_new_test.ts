import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import { runScript } from "../helpers/processes.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

Deno.test("plugin:new scaffolds a plugin whose own test passes", async () => {
  const parent = await Deno.makeTempDir();
  try {
    const created = await runScript("cli/plugin_new.ts", ["crm-sync", "--dir", parent], {});
    assertEquals(created.code, 0, created.stderr);
    assertMatch(created.stdout, /Created the plugin "crm-sync" in .*crm-sync: plugin.json, mod.ts/);
    const files = (await Array.fromAsync(Deno.readDir(`${parent}/crm-sync`))).map((e) => e.name);
    assertEquals(files.sort(), ["README.md", "mod.ts", "mod_test.ts", "plugin.json"]);

    const test = await new Deno.Command(Deno.execPath(), {
      args: ["test", "-A", "--config", `${ROOT}deno.json`, `${parent}/crm-sync`],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const output = new TextDecoder().decode(test.stdout) + new TextDecoder().decode(test.stderr);
    assertEquals(test.code, 0, output);
    assert(output.includes("1 passed | 0 failed"), output);

    const again = await runScript("cli/plugin_new.ts", ["crm-sync", "--dir", parent], {});
    assertEquals(again.code, 1);
    assertMatch(again.stderr, /crm-sync exists already; choose another name or remove it first/);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test("plugin:new refuses a name a manifest could not carry", async () => {
  const result = await runScript("cli/plugin_new.ts", ["CRM Sync", "--dir", "/tmp"], {});
  assertEquals(result.code, 1);
  assertMatch(result.stderr, /"CRM Sync" cannot be a plugin name: use lower-case letters/);
});
