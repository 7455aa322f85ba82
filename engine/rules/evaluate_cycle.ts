/**
 * The rules stage's work: the published rule set, pinned for the cycle and
 * compiled once, over a batch of customers (one statement loads the batch's
 * facts, one writes its firings, one their `rule.fired` events). Each firing
 * is stored with the facts its rule read and which comparisons held, so "why
 * did this fire for this customer" has an answer.
 */
import type { Loadable, Queryable } from "../db/mod.ts";
import type { BatchBounds } from "../health/mod.ts";
import {
  type CompilableRule,
  type CompiledRuleSet,
  compileRuleSet,
  type Firing,
  type LeafExplanation,
} from "./compile.ts";
import { type CustomerFacts, type ExtraFacts, loadCustomerFacts } from "./customer_facts.ts";
import { appendFiredEvents, proposedInterventions } from "./fired_events.ts";
import type { RuleDefinition } from "./rule_schema.ts";

/** The rule versions a cycle evaluates, fixed when its rules stage is planned. */
export interface PinnedRuleSet {
  rules: Array<{ id: string; version: number }>;
}

/** What evaluating one batch of customers did. */
export interface RuleBatchResult {
  customers: number;
  firings: number;
  /** Evaluations that threw, by rule id: that rule skipped for that customer, the rest went on. */
  errors: Record<string, number>;
}

/**
 * The published version of every rule that runs: switched-off rules
 * (disabled after failing cycles) do not.
 */
export async function loadPublishedRules(db: Queryable): Promise<CompilableRule[]> {
  const rows = await db.query<{ id: string; version: number; definition: RuleDefinition }>(
    `select r.id, r.published_version as version, v.definition
     from rules r join rule_versions v on v.rule_id = r.id and v.version = r.published_version
     where r.status = 'published' and r.disabled_at is null
     order by r.id`,
  );
  return rows.map((row) => ({ id: row.id, version: row.version, definition: row.definition }));
}

/** The versions of `pinned`, in its order, as the cycle that pinned them saw them. */
export async function loadPinnedRules(
  db: Queryable,
  pinned: PinnedRuleSet,
): Promise<CompilableRule[]> {
  const rows = await db.query<{ id: string; version: number; definition: RuleDefinition }>(
    `select v.rule_id as id, v.version, v.definition
     from unnest($1::text[], $2::int[]) with ordinality as p(id, version, n)
     join rule_versions v on v.rule_id = p.id and v.version = p.version
     order by p.n`,
    [pinned.rules.map((r) => r.id), pinned.rules.map((r) => r.version)],
  );
  return rows.map((row) => ({ id: row.id, version: row.version, definition: row.definition }));
}

/** A firing as stored: the rule's event, and what the rule saw. */
interface FiringRow {
  customer_id: string;
  rule_id: string;
  rule_version: number;
  priority: number;
  event: Firing["event"];
  facts: CustomerFacts;
  conditions: unknown[];
}

/**
 * Compiles `rules` once and returns the evaluation of one batch of customers
 * active at `asOf`: one statement loads the batch's facts, the set runs for
 * each customer, one statement stores the firings and one their events (on
 * `db`: the shard's transaction, so a batch is stored whole or not at all).
 */
export function ruleBatchEvaluator(
  rules: readonly CompilableRule[],
  options: { asOf: Date; cycleId: number; extraFacts?: ExtraFacts | undefined },
): (db: Loadable, batch: BatchBounds) => Promise<RuleBatchResult> {
  const compiled = compileRuleSet(rules);
  const proposals = proposedInterventions(rules);
  // Built on the first failure: each rule alone, to find which one threw.
  let singles: Array<{ id: string; set: CompiledRuleSet }> | null = null;
  const isolated = async (facts: CustomerFacts, errors: Record<string, number>) => {
    singles ??= rules.map((rule) => ({ id: rule.id, set: compileRuleSet([rule]) }));
    const fired: Array<{ firing: Firing; why: readonly LeafExplanation[] }> = [];
    for (const { id, set } of singles) {
      try {
        for (const firing of await set.evaluateAll(facts)) {
          fired.push({ firing, why: set.explain(facts)[0]?.conditions ?? [] });
        }
      } catch {
        errors[id] = (errors[id] ?? 0) + 1;
      }
    }
    // The set's order: priority first, then the rules' order.
    return fired.sort((a, b) => b.firing.priority - a.firing.priority);
  };
  return async (db, batch) => {
    const customers = await loadCustomerFacts(db, batch, options.asOf, options.extraFacts);
    const result: RuleBatchResult = { customers: customers.length, firings: 0, errors: {} };
    const rows: FiringRow[] = [];
    for (const { customerId, facts } of customers) {
      let fired: Array<{ firing: Firing; why: readonly LeafExplanation[] }>;
      try {
        const firings = compiled.fallback.length === 0
          ? compiled.evaluate(facts)
          : await compiled.evaluateAll(facts);
        if (firings.length === 0) continue;
        // Explanations only for the customers something fired for: the rare, slow path.
        const why = new Map(compiled.explain(facts).map((e) => [e.ruleId, e.conditions]));
        fired = firings.map((firing) => ({ firing, why: why.get(firing.ruleId) ?? [] }));
      } catch {
        // A rule threw on this customer's facts: the others still run for them.
        fired = await isolated(facts, result.errors);
      }
      for (const { firing, why } of fired) {
        rows.push({
          customer_id: customerId,
          rule_id: firing.ruleId,
          rule_version: firing.version,
          priority: firing.priority,
          event: firing.event,
          facts: factsRead(why, facts),
          conditions: [...why],
        });
      }
    }
    if (rows.length > 0) {
      await storeFirings(db, options.cycleId, options.asOf, rows);
      await appendFiredEvents(
        db,
        rows.map((row) => ({
          customerId: row.customer_id,
          ruleId: row.rule_id,
          intervention: proposals.get(row.rule_id) ?? null,
        })),
        { cycleId: options.cycleId, batch },
      );
    }
    result.firings = rows.length;
    return result;
  };
}

/** The facts a rule's comparisons (its explanation's leaves) read, as they were. */
export function factsRead(
  conditions: readonly LeafExplanation[],
  facts: CustomerFacts,
): CustomerFacts {
  const read: CustomerFacts = {};
  for (const leaf of conditions) if (leaf.fact in facts) read[leaf.fact] = facts[leaf.fact];
  return read;
}

/**
 * One COPY for the batch's firings: about a third cheaper than an INSERT
 * from a JSON parameter (bench/README.md, "Cycle"). The shard's claim makes
 * the batch run once; a second firing of a rule for a customer in a cycle
 * would break the table's unique key and fail the shard.
 */
async function storeFirings(
  db: Loadable,
  cycleId: number,
  firedAt: Date,
  rows: FiringRow[],
): Promise<void> {
  await db.copyRows(
    "rule_firings",
    FIRING_COLUMNS,
    rows.map((f) => [
      cycleId,
      f.customer_id,
      f.rule_id,
      f.rule_version,
      f.priority,
      f.event,
      f.facts,
      f.conditions,
      firedAt,
    ]),
  );
}

/** The columns of a stored firing, in the order rows are written. */
export const FIRING_COLUMNS = [
  "cycle_id",
  "customer_id",
  "rule_id",
  "rule_version",
  "priority",
  "event",
  "facts",
  "conditions",
  "fired_at",
];
