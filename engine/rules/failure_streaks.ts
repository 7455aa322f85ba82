/**
 * Rules that keep failing are switched off. After each cycle's rules stage,
 * every rule it evaluated either extends its streak of failing cycles (it
 * threw for at least one customer) or resets it. A rule whose streak reaches
 * the limit stops running until someone publishes it again; that is an audit
 * entry and a `rule.disabled` domain event that alerting can follow.
 */
import type { Db } from "../db/mod.ts";
import { appendDomainEvents } from "../events/mod.ts";
import { auditChange } from "../versioned/mod.ts";
import { RULES } from "./rule_kind.ts";

/** A rule the engine just switched off. */
export interface DisabledRule {
  ruleId: string;
  version: number;
  failingCycles: number;
}

/** The engine's name in audit entries for what it does on its own. */
const ENGINE_ACTOR = "engine";

/**
 * Counts cycle `cycleId` into the streaks of the rules it evaluated and
 * switches off those at `limit`. Counting the same cycle twice (a resumed
 * cycle finishing its stage again) changes nothing.
 */
export async function recordRuleFailures(
  db: Db,
  input: {
    cycleId: number;
    evaluated: readonly string[];
    failures: Readonly<Record<string, number>>;
    limit: number;
    now: Date;
  },
): Promise<DisabledRule[]> {
  if (input.evaluated.length === 0) return [];
  return await db.transaction(async (tx) => {
    const counted = await tx.query<{ id: string; failing_cycles: number; version: number }>(
      `update rules r set
         failing_cycles = case when f.id = any($3::text[]) then r.failing_cycles + 1 else 0 end,
         counted_cycle = $1
       from unnest($2::text[]) as f(id)
       where r.id = f.id and r.counted_cycle is distinct from $1
       returning r.id, r.failing_cycles, r.published_version as version`,
      [
        input.cycleId,
        input.evaluated,
        input.evaluated.filter((id) => (input.failures[id] ?? 0) > 0),
      ],
    );
    const disabled: DisabledRule[] = [];
    for (const rule of counted.filter((r) => r.failing_cycles >= input.limit)) {
      const reason = `threw in ${rule.failing_cycles} cycles in a row (RULE_FAILURE_LIMIT=` +
        `${input.limit}); last in cycle ${input.cycleId} for ` +
        `${input.failures[rule.id]} customer(s). Fix the rule (or the facts it reads) and ` +
        "publish it again to switch it back on";
      const [before] = await tx.query<{ disabled_at: Date | null }>(
        "select disabled_at from rules where id = $1 and status = 'published'",
        [rule.id],
      );
      if (!before || before.disabled_at) continue;
      await tx.query(
        `update rules set disabled_at = $2, disabled_reason = $3, revision = revision + 1,
           updated_at = $2, updated_by = $4
         where id = $1`,
        [rule.id, input.now, reason, ENGINE_ACTOR],
      );
      const change = { actor: ENGINE_ACTOR, now: input.now, reason };
      await auditChange(tx, RULES, change, "rule.disabled", rule.id, { disabledAt: null }, {
        disabledAt: input.now.toISOString(),
        version: rule.version,
        failingCycles: rule.failing_cycles,
        cycleId: input.cycleId,
      });
      disabled.push({ ruleId: rule.id, version: rule.version, failingCycles: rule.failing_cycles });
    }
    await appendDomainEvents(
      tx,
      disabled.map((rule) => ({
        type: "rule.disabled",
        customerId: null,
        payload: { ...rule, cycleId: input.cycleId, errors: input.failures[rule.ruleId] ?? 0 },
        occurredAt: input.now,
      })),
    );
    return disabled;
  });
}
