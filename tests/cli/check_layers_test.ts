import { assertEquals } from "../helpers/assert.ts";
import { findLayerViolations } from "../../cli/check_layers.ts";

Deno.test("the project's imports point the right way", async () => {
  const root = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
  assertEquals(await findLayerViolations(root), []);
});

Deno.test("findLayerViolations() catches a plugin import, an inner-file import and a stray package", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/engine/health`, { recursive: true });
    await Deno.writeTextFile(
      `${root}/engine/health/bad.ts`,
      `import x from "../../plugins/email/mod.ts";
import { y } from "../signals/ingest.ts";
import { z } from "../signals/mod.ts";
import postgres from "postgres";
export { w } from "../errors.ts";`,
    );
    const found = await findLayerViolations(root);
    assertEquals(found.map((v) => [v.specifier, v.rule]), [
      ["../../plugins/email/mod.ts", "engine/ must not import plugins"],
      ["../signals/ingest.ts", "use engine/signals/mod.ts, not its inner files"],
      ["postgres", "postgres may only be imported under engine/db/"],
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
