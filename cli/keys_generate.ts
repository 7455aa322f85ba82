/**
 * `deno task keys:generate --file PATH [--add]`: writes a new key file with
 * one random key per data type and one for the email blind index, readable
 * by its owner only; it never replaces a file. `--add` adds a new active key
 * per purpose to an existing file and keeps the old ones (inactive) for
 * reading until `deno task keys:rotate` has moved every value off them.
 */
import { systemClock } from "../engine/clock.ts";
import { EngineError } from "../engine/errors.ts";
import {
  addKeys,
  KEY_PURPOSES,
  loadKeyFile,
  newKeyFile,
  writeKeyFile,
} from "../engine/privacy/mod.ts";
import { runCommand, say } from "./output.ts";

await runCommand(async () => {
  const args = [...Deno.args];
  const add = args.includes("--add");
  const fileAt = args.indexOf("--file");
  const path = fileAt >= 0 ? args[fileAt + 1] : undefined;
  const known = new Set(["--add", "--file", path]);
  const unknown = args.find((a) => !known.has(a));
  if (path === undefined || unknown !== undefined) {
    throw new EngineError(
      "CONFIG_INVALID",
      "Usage: deno task keys:generate --file PATH [--add]" +
        (unknown === undefined ? "" : ` (unknown argument "${unknown}")`),
    );
  }
  const now = systemClock.now();
  if (add) {
    const file = addKeys(await loadKeyFile(path), KEY_PURPOSES, now);
    await writeKeyFile(path, file, { createNew: false });
    const fresh = file.keys.filter((k) => k.active).map((k) => k.id);
    say(`Added new active keys to ${path}: ${fresh.join(", ")}`);
    say("Restart every engine with it, then run deno task keys:rotate.");
    return;
  }
  try {
    await writeKeyFile(path, newKeyFile(now), { createNew: true });
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    throw new EngineError(
      "CONFIG_INVALID",
      `${path} exists: a key file is never replaced (the data under its keys would be lost); ` +
        "use --add to add new keys to it",
    );
  }
  say(`Wrote ${path} (readable by you only). Set PII_KEY_FILE=${path} and keep a backup of it`);
  say("apart from the database's: without it, personal data cannot be read.");
});
