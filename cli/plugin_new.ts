/**
 * `deno task plugin:new NAME [--dir DIR]`: scaffolds a plugin folder (manifest,
 * module, passing test, README) in DIR, else PLUGINS_DIR, else plugins.local/.
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { EngineError } from "../engine/errors.ts";
import { scaffoldFiles, scaffoldPlugin } from "../engine/plugins/mod.ts";
import { runCommand, say } from "./output.ts";

await runCommand(async () => {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: { dir: { type: "string" } },
  });
  const [name, ...extra] = positionals;
  if (!name || extra.length > 0) {
    throw new EngineError(
      "VALIDATION_FAILED",
      "Name one plugin: deno task plugin:new NAME [--dir DIR]",
    );
  }
  const parent = values.dir ?? Deno.env.get("PLUGINS_DIR") ?? "plugins.local";
  const root = fileURLToPath(new URL("..", import.meta.url));
  const folder = await scaffoldPlugin(name, parent, root);
  say(`Created the plugin "${name}" in ${folder}: ${scaffoldFiles.join(", ")}`);
  // The engine's import map resolves what the test imports, wherever the folder is.
  say(`  test it:   deno test -A --config ${root}deno.json ${folder}`);
  say(`  run it:    PLUGINS_DIR=${parent} deno task start   (it runs sandboxed)`);
  say(
    "  then:      declare in plugin.json every event, host and variable it uses (docs/plugins.md)",
  );
});
