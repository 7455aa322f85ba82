/**
 * `deno task user:create --email EMAIL --name NAME --role ROLE`: creates a
 * console user. The password never comes from a flag (flags show in `ps`
 * and shell history): it is read from USER_PASSWORD, else from standard
 * input (its first line), else asked for at the terminal without echo.
 */
import { parseArgs } from "node:util";
import { createUser, parseNewUser, roles } from "../engine/access/mod.ts";
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
      email: { type: "string" },
      name: { type: "string" },
      role: { type: "string" },
    },
  });
  const usage = `deno task user:create --email EMAIL --name NAME --role ${roles.join("|")}`;
  if (values.email === undefined || values.name === undefined || values.role === undefined) {
    throw new EngineError("VALIDATION_FAILED", `Name the email, name and role: ${usage}`);
  }
  const password = await readPassword();
  // Checked before the database is opened: a typo costs nothing.
  const spec = parseNewUser({
    email: values.email,
    displayName: values.name,
    role: values.role,
    password,
  });
  const config = loadConfig(Deno.env.toObject());
  const log = createLogger({ level: "warn" });
  const access = await accessDatabase(config, { command: "user:create", log, viaApi: false });
  if (access.kind !== "db") throw new EngineError("INTERNAL", "user:create needs the database");
  try {
    const user = await createUser(access.db, spec, {
      actor: `local:cli (${Deno.env.get("USER") ?? "unknown"})`,
      now: systemClock.now(),
    });
    say(
      `Created user ${user.id} ${user.email} ("${user.displayName}") with the role ${user.role} ` +
        `in ${describeStorage(config)}. They sign in at /console.`,
    );
  } finally {
    await access.db.close();
  }
});

/** USER_PASSWORD, or the first line of standard input, or a prompt at the terminal. */
async function readPassword(): Promise<string> {
  const fromEnv = Deno.env.get("USER_PASSWORD");
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  if (!Deno.stdin.isTerminal()) {
    const text = await new Response(Deno.stdin.readable).text();
    return text.split(/\r?\n/)[0] ?? "";
  }
  warn("Password (at least 12 characters; not shown): ");
  Deno.stdin.setRaw(true);
  try {
    // Bytes, decoded at the end: a character may take several (UTF-8).
    const bytes: number[] = [];
    const buffer = new Uint8Array(1);
    while (true) {
      const read = await Deno.stdin.read(buffer);
      const byte = buffer[0]!;
      if (read === null || byte === 13 || byte === 10) break;
      if (byte === 3) throw new EngineError("VALIDATION_FAILED", "Cancelled");
      if (byte === 127) {
        // Backspace: drop the last character, with its UTF-8 continuation bytes.
        while (bytes.length > 0 && (bytes.pop()! & 0xc0) === 0x80);
      } else bytes.push(byte);
    }
    return new TextDecoder().decode(new Uint8Array(bytes));
  } finally {
    Deno.stdin.setRaw(false);
    warn("");
  }
}
