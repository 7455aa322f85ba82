/**
 * The interventions stage of a cycle: the planner over the rules stage's
 * firings, shard by shard. What it can send — published templates and
 * registered channels — is fixed when the stage is planned, like the rule
 * versions of the rules stage.
 */
import type { Queryable } from "../db/mod.ts";
import type { Capabilities } from "./planner.ts";

/** The stage's plan parameters: what could be sent when it was planned. */
export interface PlanParams {
  templates: Array<[id: string, channel: string]>;
  channels: string[];
}

/** Published templates (id → channel) and the registered channels, as stored plan parameters. */
export async function planParams(
  db: Queryable,
  channels: Iterable<string>,
): Promise<PlanParams> {
  const rows = await db.query<{ id: string; channel: string }>(
    "select id, channel from templates where status = 'published' order by id",
  );
  return { templates: rows.map((r) => [r.id, r.channel]), channels: [...channels].sort() };
}

/** The capabilities the planner checks, from stored plan parameters. */
export function capabilitiesOf(params: PlanParams): Capabilities {
  return { templates: new Map(params.templates), channels: new Set(params.channels) };
}
