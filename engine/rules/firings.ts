/** Reading rule firings: what fired for a customer, and why. */
import type { Queryable } from "../db/mod.ts";

/** A stored firing, as the API shows it. */
export interface RuleFiring {
  id: number;
  cycleId: number;
  customerId: string;
  ruleId: string;
  ruleVersion: number;
  priority: number;
  event: { type: string; params: Record<string, unknown> };
  /** The facts the rule's conditions read, as they were. */
  facts: Record<string, unknown>;
  /** Each comparison: its JSON path, the values compared, whether it held. */
  conditions: unknown[];
  firedAt: string;
}

/** A customer's firings, newest first, after `cursor` (a firing id). */
export async function listCustomerFirings(
  db: Queryable,
  customerId: string,
  options: { limit: number; cursor?: number | undefined; ruleId?: string | undefined },
): Promise<{ items: RuleFiring[]; nextCursor: string | null }> {
  const rows = await db.query<{
    id: number;
    cycle_id: number;
    rule_id: string;
    rule_version: number;
    priority: number;
    event: RuleFiring["event"];
    facts: Record<string, unknown>;
    conditions: unknown[];
    fired_at: Date;
  }>(
    `select id, cycle_id, rule_id, rule_version, priority, event, facts, conditions, fired_at
     from rule_firings
     where customer_id = $1 and ($2::bigint is null or id < $2) and ($3::text is null or rule_id = $3)
     order by id desc limit $4`,
    [customerId, options.cursor ?? null, options.ruleId ?? null, options.limit + 1],
  );
  const items = rows.slice(0, options.limit).map((row) => ({
    id: row.id,
    cycleId: row.cycle_id,
    customerId,
    ruleId: row.rule_id,
    ruleVersion: row.rule_version,
    priority: row.priority,
    event: row.event,
    facts: row.facts,
    conditions: row.conditions,
    firedAt: row.fired_at.toISOString(),
  }));
  const last = items.at(-1);
  return { items, nextCursor: rows.length > options.limit && last ? String(last.id) : null };
}
