/**
 * The shape of the pack import commands (`rules:import`, `templates:import`):
 * files from the command line or the default folder, `--publish`, the
 * database itself (the engine stopped, on the embedded database), and one
 * line saying what changed.
 */
import { parseArgs } from "node:util";
import { systemClock } from "../engine/clock.ts";
import { loadConfig } from "../engine/config.ts";
import type { Db } from "../engine/db/mod.ts";
import { createLogger } from "../engine/log.ts";
import { accessDatabase } from "./database.ts";
import { runCommand, say } from "./output.ts";

/** What an import reports, as both importers return it. */
interface ImportCounts {
  created: string[];
  updated: string[];
  unchanged: string[];
  published: string[];
}

/** Runs a pack import command. */
export function runPackImport(command: {
  name: string;
  /** `rules`, `templates`: what the line counts. */
  plural: string;
  defaultFiles(): Promise<string[]>;
  /** Reads, checks and imports the files; returns how many items they held and the counts. */
  importFiles(
    db: Db,
    files: string[],
    options: { publish: boolean; now: Date },
  ): Promise<{ items: number; result: ImportCounts }>;
  /** Said when drafts were made without --publish. */
  draftHint: string;
}): Promise<void> {
  return runCommand(async () => {
    const { values, positionals } = parseArgs({
      args: Deno.args,
      options: { publish: { type: "boolean", default: false } },
      allowPositionals: true,
    });
    const config = loadConfig(Deno.env.toObject());
    const log = createLogger({ level: "warn" });
    const access = await accessDatabase(config, { command: command.name, log, viaApi: false });
    if (access.kind !== "db") throw new Error(`${command.name} works on the database itself`);
    const db = access.db;
    try {
      const files = positionals.length > 0 ? positionals : await command.defaultFiles();
      const { items, result } = await command.importFiles(db, files, {
        publish: values.publish,
        now: systemClock.now(),
      });
      say(
        `${items} ${command.plural} in ${files.length} file(s): ${result.created.length} ` +
          `created, ${result.updated.length} with a new draft, ${result.unchanged.length} unchanged` +
          (values.publish ? `, ${result.published.length} published` : ""),
      );
      if (!values.publish && result.created.length + result.updated.length > 0) {
        say(command.draftHint);
      }
    } finally {
      await db.close();
    }
  });
}
