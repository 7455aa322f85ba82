import { assertEquals, assertMatch } from "../../helpers/assert.ts";
import { withTestDb } from "../../helpers/db.ts";
import { NOW } from "../../helpers/fixtures.ts";
import type { Db } from "../../../engine/db/mod.ts";
import { silentLogger } from "../../../engine/log.ts";
import { PluginHost, scaffoldPlugin } from "../../../engine/plugins/mod.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;
/** A host of the plugins in `dir` (PLUGINS_DIR) only. */
function hostIn(db: Db, dir: string): PluginHost {
  return new PluginHost({
    db,
    clock: { now: () => NOW },
    log: silentLogger,
    environment: {},
    firstParty: [],
    directory: dir,
  });
}

const by = { actor: "token:1 (admin)", at: NOW, reason: null, requestId: null };

Deno.test("a plugin dropped into PLUGINS_DIR runs sandboxed, handles events, serves routes and is disabled at once", async () => {
  await withTestDb(async (db) => {
    const dir = await Deno.makeTempDir();
    const host = hostIn(db, dir);
    try {
      await scaffoldPlugin("drop-counter", dir, ROOT);
      await host.start();
      const status = host.status("drop-counter");
      assertEquals([status.state, status.origin, status.sandboxed], [
        "running",
        "directory",
        true,
      ]);
      const [subscriber] = host.subscribers();
      assertEquals([subscriber?.name, subscriber?.types], ["drop-counter", ["health.changed"]]);
      const event = {
        id: 1,
        type: "health.changed" as const,
        customerId: "sup_1",
        payload: { score: 40, previousScore: 75 },
        occurredAt: NOW.toISOString(),
        recordedAt: NOW.toISOString(),
      };
      await subscriber!.handle(event, AbortSignal.timeout(10_000));
      const drops = await host.fetch(
        "drop-counter",
        new Request("http://engine/plugins/drop-counter/drops"),
      );
      assertEquals([drops.status, await drops.json()], [200, { drops: 1 }]);

      await host.update("drop-counter", { config: { minDrop: 50 } }, by);
      assertEquals(host.status("drop-counter").config, { minDrop: 50 });
      await host.update("drop-counter", { enabled: false }, by);
      assertEquals(host.status("drop-counter").state, "stopped");
      assertEquals(host.subscribers(), []);
      const off = await host.fetch(
        "drop-counter",
        new Request("http://engine/plugins/drop-counter/drops"),
      );
      assertEquals(off.status, 503);
    } finally {
      await host.stop();
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("a PLUGINS_DIR plugin that declares retention tables is refused: it has no database", async () => {
  await withTestDb(async (db) => {
    const dir = await Deno.makeTempDir();
    const host = hostIn(db, dir);
    try {
      await scaffoldPlugin("keeper", dir, ROOT);
      const path = `${dir}/keeper/plugin.json`;
      const manifest = JSON.parse(await Deno.readTextFile(path));
      manifest.retention = [{ table: "keeper_rows", olderThan: "created_at" }];
      await Deno.writeTextFile(path, JSON.stringify(manifest));
      await host.start();
      const status = host.status("keeper");
      assertEquals(status.state, "failed");
      assertMatch(status.error?.message ?? "", /declares retention tables.*remove `retention`/);
    } finally {
      await host.stop();
      await Deno.remove(dir, { recursive: true });
    }
  });
});
