import { assertEquals, assertRejects } from "../helpers/assert.ts";
import { type Config, loadConfig } from "../../engine/config.ts";
import type { Db } from "../../engine/db/mod.ts";
import { EngineError } from "../../engine/errors.ts";
import { silentLogger } from "../../engine/log.ts";
import { loadChannelPlugins } from "../../engine/plugins/mod.ts";
import { firstPartyChannelPlugins } from "../../plugins/mod.ts";

// Loading only builds the channels: nothing here sends or touches the database.
const db = {} as Db;

Deno.test("firstPartyChannelPlugins register only the in-app channel when nothing is configured", async () => {
  const channels = await loadChannelPlugins(firstPartyChannelPlugins, {
    config: loadConfig({}),
    db,
    log: silentLogger,
  });
  assertEquals(channels.list().map((c) => [c.id, c.kind]), [["in-app", "in-app"]]);
  assertEquals(channels.get("email"), undefined);
  await channels.closeAll();
});

Deno.test("firstPartyChannelPlugins register email, slack, webhook and in-app when configured", async () => {
  const channels = await loadChannelPlugins(firstPartyChannelPlugins, {
    config: loadConfig({
      SMTP_URL: "smtp://user:pass@127.0.0.1:2525",
      SLACK_INTERVENTION_WEBHOOK_URL: "https://hooks.slack.com/services/T0/B0/x",
      INTERVENTION_WEBHOOK_URL: "https://crm.example.com/hooks",
      INTERVENTION_WEBHOOK_SECRET: "0123456789abcdef",
    }),
    db,
    log: silentLogger,
  });
  assertEquals(channels.list().map((c) => c.id), ["email", "slack", "webhook", "in-app"]);
  await channels.closeAll();
});

Deno.test("firstPartyChannelPlugins stop with CONFIG_INVALID naming the variable a plugin needs", async () => {
  // A configuration not from loadConfig (which reports this too): the plugin still refuses it.
  const config = {
    ...loadConfig({}),
    INTERVENTION_WEBHOOK_URL: "https://crm.example.com/h",
  } as Config;
  const error = await assertRejects(
    () => loadChannelPlugins(firstPartyChannelPlugins, { config, db, log: silentLogger }),
    EngineError,
  );
  assertEquals(error.code, "CONFIG_INVALID");
  assertEquals(error.issues.map((i) => i.path), ["INTERVENTION_WEBHOOK_SECRET"]);
});
