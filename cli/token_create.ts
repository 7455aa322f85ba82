/**
 * `deno task token:create --role ROLE --name NAME [--expires-at DATE]`:
 * creates an API token and prints its secret once, on standard output alone
 * (so `TOKEN=$(deno task token:create …)` works); the rest goes to stderr.
 */
import { parseArgs } from "node:util";
import { createToken, isRole, roles } from "../engine/access/mod.ts";
import { systemClock } from "../engine/clock.ts";
import { describeStorage, loadConfig } from "../engine/config.ts";
import { EngineError } from "../engine/errors.ts";
import { createLogger } from "../engine/log.ts";
import { accessDatabase } from "./database.ts";
import { runCommand, say, warn } from "./output.ts";

await runCommand(async () => {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      role: { type: "string" },
      name: { type: "string" },
      "expires-at": { type: "string" },
    },
  });
  const usage = `deno task token:create --role ${roles.join("|")} --name NAME [--expires-at DATE]`;
  if (!isRole(values.role)) {
    throw new EngineError(
      "VALIDATION_FAILED",
      values.role === undefined
        ? `Name the role: ${usage}`
        : `--role "${values.role}" is not a role; use one of ${roles.join(", ")}`,
    );
  }
  const name = values.name?.trim() ?? "";
  if (name.length < 1 || name.length > 100) {
    throw new EngineError("VALIDATION_FAILED", `Name the token (1–100 characters): ${usage}`);
  }
  const expiresAt = values["expires-at"] === undefined ? null : new Date(values["expires-at"]);
  if (expiresAt && Number.isNaN(expiresAt.getTime())) {
    throw new EngineError(
      "VALIDATION_FAILED",
      `--expires-at "${
        values["expires-at"]
      }" is not a date; use e.g. 2027-06-30 or 2027-06-30T12:00:00Z`,
    );
  }
  const config = loadConfig(Deno.env.toObject());
  const log = createLogger({ level: "warn" });
  const access = await accessDatabase(config, { command: "token:create", log, viaApi: false });
  if (access.kind !== "db") throw new EngineError("INTERNAL", "token:create needs the database");
  try {
    const user = Deno.env.get("USER") ?? "unknown";
    const { token, info } = await createToken(access.db, { name, role: values.role, expiresAt }, {
      actor: `local:cli (${user})`,
      now: systemClock.now(),
    });
    warn(
      `Created token ${info.id} "${info.name}" with the role ${info.role} in ${
        describeStorage(config)
      }${info.expiresAt ? `, expiring ${info.expiresAt}` : ""}. Its secret, shown this once:`,
    );
    say(token);
  } finally {
    await access.db.close();
  }
});
