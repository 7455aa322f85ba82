/** `deno task migrate`: applies pending migrations and installs defaults. */
import { systemClock } from "../engine/clock.ts";
import { describeStorage, loadConfig } from "../engine/config.ts";
import { dataDirInUse, openDb, readDataDirLock } from "../engine/db/mod.ts";
import { installEngine } from "../engine/install.ts";
import { createLogger } from "../engine/log.ts";
import { runCommand, say } from "./output.ts";

await runCommand(async () => {
  const config = loadConfig(Deno.env.toObject());
  const log = createLogger({ level: "warn" });
  if (config.DATABASE_URL === undefined) {
    const holder = await readDataDirLock(config.DATA_DIR);
    if (holder) throw dataDirInUse(config.DATA_DIR, holder); // A running engine migrated at start.
  }
  const { db } = await openDb(config, { command: "migrate", log });
  try {
    const result = await installEngine(db, { config, now: systemClock.now(), log });
    if (result.applied.length === 0) {
      say(`${describeStorage(config)} is up to date (schema version ${result.version})`);
    } else {
      for (const name of result.applied) say(`applied ${name}`);
      say(`${describeStorage(config)} is at schema version ${result.version}`);
    }
  } finally {
    await db.close();
  }
});
