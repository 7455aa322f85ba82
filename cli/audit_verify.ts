/**
 * `deno task audit:verify`: walks the audit log's hash chain and says whether
 * every entry is intact. Exits 1 naming the first entry that was edited,
 * deleted or reordered. Goes through the running engine's API when the
 * engine holds the embedded database.
 */
import type { ChainCheck } from "../engine/audit/mod.ts";
import { verifyAuditChain } from "../engine/audit/mod.ts";
import { loadConfig } from "../engine/config.ts";
import { EngineError } from "../engine/errors.ts";
import { createLogger } from "../engine/log.ts";
import { accessDatabase } from "./database.ts";
import { runCommand, say } from "./output.ts";

await runCommand(async () => {
  const config = loadConfig(Deno.env.toObject());
  const log = createLogger({ level: "warn" });
  const access = await accessDatabase(config, { command: "audit:verify", log, viaApi: true });
  let check: ChainCheck;
  if (access.kind === "api") {
    const response = await fetch(`${access.engineUrl}/api/v1/audit/verify`, {
      headers: access.headers,
    });
    if (!response.ok) {
      throw new EngineError("INTERNAL", `The engine answered ${response.status} to audit/verify`);
    }
    check = await response.json() as ChainCheck;
  } else {
    try {
      check = await verifyAuditChain(access.db);
    } finally {
      await access.db.close();
    }
  }
  if (!check.valid) {
    throw new EngineError(
      "AUDIT_CHAIN_BROKEN",
      `The audit log has been tampered with: entry ${check.firstBrokenId} does not follow from ` +
        `the one before (of ${check.entries} checked). Entries were edited, deleted or reordered ` +
        "there; restore the audit_log table from a backup and compare",
    );
  }
  say(`The audit log is intact: ${check.entries} entries, last hash ${check.lastHash ?? "none"}`);
});
