import { assert, assertEquals, assertMatch, assertRejects } from "../../../helpers/assert.ts";
import { EngineError } from "../../../../engine/errors.ts";
import { sandboxPermissions } from "../../../../engine/plugins/mod.ts";
import { fixtureFolder, fixtureManifest, startFixture } from "./helpers.ts";

interface Probe {
  ok: boolean;
  value?: unknown;
  error?: string;
  message?: string;
}

async function probe(
  plugin: { fetch(request: Request): Promise<Response> },
  path: string,
): Promise<Probe> {
  const response = await plugin.fetch(new Request(`http://engine.test/plugins/probe${path}`));
  assertEquals(response.status, 200);
  return await response.json();
}

function listen(body: string): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => new Response(body));
}

Deno.test("sandboxPermissions() grants the manifest's hosts and variables, its folder, and nothing else", async () => {
  const manifest = await fixtureManifest("probe");
  assertEquals(sandboxPermissions(manifest, "/plugins/probe"), {
    net: ["127.0.0.1:9"],
    env: ["SANDBOX_PROBE_DECLARED"],
    read: ["/plugins/probe"],
    write: false,
    run: false,
    ffi: false,
    sys: false,
    import: false,
  });
  const bare = { ...manifest, permissions: { net: [], env: [] } };
  const none = sandboxPermissions(bare, "/plugins/probe");
  assertEquals([none.net, none.env], [false, false]);
});

Deno.test("a sandboxed plugin reads its declared variable, and gets NotCapable for any other", async () => {
  Deno.env.set("SANDBOX_PROBE_DECLARED", "declared-value");
  Deno.env.set("SANDBOX_PROBE_SECRET", "must-not-leak");
  const { plugin } = await startFixture("probe");
  try {
    assertEquals(await probe(plugin, "/env/SANDBOX_PROBE_DECLARED"), {
      ok: true,
      value: "declared-value",
    });
    const secret = await probe(plugin, "/env/SANDBOX_PROBE_SECRET");
    assertEquals(secret.error, "NotCapable");
    assertMatch(secret.message ?? "", /Requires env access to "SANDBOX_PROBE_SECRET"/);
    const home = await probe(plugin, "/env/HOME");
    assertEquals(home.error, "NotCapable");
    // The context holds the declared variables only.
    const context = await plugin.fetch(new Request("http://engine.test/plugins/probe/context-env"));
    assertEquals(await context.json(), { SANDBOX_PROBE_DECLARED: "declared-value" });
  } finally {
    await plugin.stop();
    Deno.env.delete("SANDBOX_PROBE_DECLARED");
    Deno.env.delete("SANDBOX_PROBE_SECRET");
  }
});

Deno.test("a sandboxed plugin reaches its declared host:port, and not another port of that host", async () => {
  const declared = listen("hello from the declared service");
  const other = listen("hello from somewhere else");
  const { plugin } = await startFixture("probe", {
    edit: (m) => ({
      ...m,
      permissions: { ...m.permissions, net: [`127.0.0.1:${declared.addr.port}`] },
    }),
  });
  try {
    const allowed = `http://127.0.0.1:${declared.addr.port}/`;
    assertEquals(await probe(plugin, `/fetch?url=${encodeURIComponent(allowed)}`), {
      ok: true,
      value: "hello from the declared service",
    });
    const refusedUrl = `http://127.0.0.1:${other.addr.port}/`;
    const refused = await probe(plugin, `/fetch?url=${encodeURIComponent(refusedUrl)}`);
    assertEquals(refused.error, "NotCapable");
    assertMatch(
      refused.message ?? "",
      new RegExp(`Requires net access to "127.0.0.1:${other.addr.port}"`),
    );
  } finally {
    await plugin.stop();
    await declared.shutdown();
    await other.shutdown();
  }
});

Deno.test("a sandboxed plugin reads its own folder, and no other file", async () => {
  const { plugin } = await startFixture("probe");
  try {
    const own = await probe(plugin, `/read?path=${fixtureFolder("probe")}/plugin.json`);
    assert(own.ok && String(own.value).includes('"name": "probe"'), JSON.stringify(own));
    const repoConfig = new URL("../../../../deno.json", import.meta.url).pathname;
    for (const path of ["/etc/hostname", repoConfig, `${fixtureFolder("steady")}/mod.ts`]) {
      const read = await probe(plugin, `/read?path=${encodeURIComponent(path)}`);
      assertEquals(read.error, "NotCapable", path);
      assertMatch(read.message ?? "", /Requires read access/);
    }
  } finally {
    await plugin.stop();
  }
});

Deno.test("a sandboxed plugin that imports a file outside its folder does not start, and is told why", async () => {
  const error = await assertRejects(() => startFixture("outside-import"), EngineError);
  assertEquals(error.code, "PLUGIN_IMPORT_FAILED");
  assertMatch(error.message, /^Cannot start plugin "outside-import": its mod\.ts failed to import/);
  assertMatch(error.message, /Requires read access to ".*\/deno\.json"/);
  assertMatch(error.message, /may read only its own folder .*outside-import/);
  assertMatch(error.message, /copy anything else into the plugin's folder/);
  // One plain line, without Deno's advice to pass --allow-read (not the plugin author's to pass).
  for (const unwanted of ["\n", String.fromCharCode(27), "--allow-read"]) {
    assert(!error.message.includes(unwanted), error.message);
  }
});
