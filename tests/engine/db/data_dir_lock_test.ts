import { assert, assertEquals, assertRejects } from "../../helpers/assert.ts";
import { acquireDataDirLock, readDataDirLock } from "../../../engine/db/mod.ts";
import { EngineError } from "../../../engine/errors.ts";

Deno.test("a data folder lock held by a live process refuses a second holder with what to do", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const lock = await acquireDataDirLock(dir, "engine");
    await lock.setServing("http://127.0.0.1:9999", "local-secret");
    const holder = await readDataDirLock(dir);
    assertEquals([holder?.pid, holder?.url], [Deno.pid, "http://127.0.0.1:9999"]);
    const error = await assertRejects(() => acquireDataDirLock(dir, "seed"), EngineError);
    assertEquals(error.code, "DATA_DIR_IN_USE");
    assert(error.message.includes(`in use by the engine (pid ${Deno.pid}`));
    assert(error.message.includes("serving http://127.0.0.1:9999"));
    assert(error.message.includes("DATABASE_URL"));
    await lock.release();
    assertEquals(await readDataDirLock(dir), null);
    await (await acquireDataDirLock(dir, "seed")).release();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a lock left by a process that died is taken over", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const child = new Deno.Command(Deno.execPath(), { args: ["eval", "0"] }).spawn();
    const { pid } = child;
    await child.status; // The process is gone, its pid with it.
    await Deno.writeTextFile(
      `${dir}/engine.lock`,
      JSON.stringify({ pid, command: "engine", startedAt: "x" }),
    );
    assertEquals(await readDataDirLock(dir), null);
    const lock = await acquireDataDirLock(dir, "engine");
    assertEquals((await readDataDirLock(dir))?.pid, Deno.pid);
    await lock.release();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
