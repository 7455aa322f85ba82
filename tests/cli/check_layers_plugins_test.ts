import { assertEquals } from "../helpers/assert.ts";
import { findLayerViolations } from "../../cli/check_layers.ts";

Deno.test("findLayerViolations() keeps plugins to the engine's entry points and to themselves", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/plugins/slack`, { recursive: true });
    await Deno.writeTextFile(
      `${root}/plugins/slack/mod.ts`,
      `import { a } from "../../engine/plugins/mod.ts";
import { b } from "../../engine/errors.ts";
import { c } from "../../engine/plugins/registry.ts";
import { d } from "../email/channel.ts";
import { e } from "./channel.ts";
import nodemailer from "nodemailer";
import { SMTPServer } from "smtp-server";
import { f } from "../../cli/output.ts";
import { g } from "../../engine/plugins/sdk.ts";
import { h } from "../../engine/plugins/testing/mod.ts";`,
    );
    await Deno.writeTextFile(
      `${root}/plugins/mod.ts`,
      `import slack from "./slack/mod.ts";`,
    );
    const found = await findLayerViolations(root);
    assertEquals(found.map((v) => [v.specifier, v.rule]), [
      [
        "../../engine/plugins/registry.ts",
        "plugins use engine/plugins/mod.ts, not its inner files",
      ],
      ["../email/channel.ts", "a plugin must not import another plugin (plugins/email/)"],
      ["nodemailer", "nodemailer may only be imported under plugins/email/"],
      ["smtp-server", "smtp-server may only be imported under tests/"],
      ["../../cli/output.ts", "plugins must not import commands"],
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
