/** Running the viral plugin in a test: its definition with a fixed clock, on a test database. */
import type { Db } from "../../../engine/db/mod.ts";
import { firstParty } from "../../../engine/plugins/mod.ts";
import { type PluginTestRun, startPluginForTest } from "../../../engine/plugins/testing/mod.ts";
import { upsertCustomers } from "../../../engine/signals/mod.ts";
import { viralPlugin } from "../../../plugins/viral/mod.ts";
import manifest from "../../../plugins/viral/plugin.json" with { type: "json" };
import { customer, installDefaults, NOW } from "../../helpers/fixtures.ts";

/** Starts the viral plugin on `db` with the clock at `now` (NOW by default). */
export function startViral(
  db: Db,
  options: { config?: Record<string, unknown>; env?: Record<string, unknown>; now?: Date } = {},
): Promise<PluginTestRun> {
  const now = options.now ?? NOW;
  return startPluginForTest({
    plugin: firstParty(manifest, viralPlugin({ now: () => now }), "plugins/viral"),
    db,
    config: options.config ?? {},
    env: options.env ?? {},
  });
}

/** Installs the defaults and the customers `ids` (suppliers signed up on 2026-01-10). */
export async function withCustomers(db: Db, ids: readonly string[]): Promise<void> {
  await installDefaults(db);
  await upsertCustomers(db, ids.map((id) => customer(id)), { now: NOW });
}

/** POSTs `referrals` to the plugin's route as `actor` (an admin by default). */
export function postReferrals(
  run: PluginTestRun,
  referrals: unknown[],
  actor: { id: string; role: string } | null = { id: "token:1 (product)", role: "admin" },
): Promise<Response> {
  return run.request("/referrals", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ referrals }),
    actor,
  });
}
