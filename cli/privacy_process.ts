/**
 * `deno task privacy:process`: processes the pending privacy requests now
 * (the scheduled job's work, PRIVACY_REQUEST_SCHEDULE), printing how each
 * ended. Starts the plugins as the engine does, since they export and erase
 * their own data. Opens the database itself: with the embedded database,
 * stop the engine first.
 */
import { systemClock } from "../engine/clock.ts";
import { loadConfig } from "../engine/config.ts";
import { EngineError } from "../engine/errors.ts";
import { createLogger } from "../engine/log.ts";
import { PluginHost, pluginPersonalData } from "../engine/plugins/mod.ts";
import { processPrivacyRequests } from "../engine/privacy/mod.ts";
import { firstPartyPlugins } from "../plugins/mod.ts";
import { accessDatabase } from "./database.ts";
import { runCommand, say } from "./output.ts";

await runCommand(async () => {
  if (Deno.args.length > 0) {
    throw new EngineError(
      "CONFIG_INVALID",
      `Unknown argument "${Deno.args[0]}": privacy:process takes none`,
    );
  }
  const config = loadConfig(Deno.env.toObject());
  const log = createLogger({ level: "warn" });
  const access = await accessDatabase(config, { command: "privacy:process", log, viaApi: false });
  if (access.kind !== "db") throw new EngineError("INTERNAL", "privacy:process needs the database");
  const db = access.db;
  const plugins = new PluginHost({
    db,
    clock: systemClock,
    log: log.child({ component: "plugins" }),
    environment: config,
    firstParty: firstPartyPlugins,
    directory: config.PLUGINS_DIR,
  });
  try {
    await plugins.start();
    const processed = await processPrivacyRequests(db, {
      holders: pluginPersonalData(plugins),
      now: () => systemClock.now(),
    });
    if (processed.length === 0) say("No privacy request is pending");
    for (const request of processed) {
      say(
        `  request ${request.id} (${request.type}): ${request.status}` +
          (request.note ? ` — ${request.note}` : ""),
      );
    }
  } finally {
    await plugins.stop();
    await db.close();
  }
});
