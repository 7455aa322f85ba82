/**
 * The rules stage of an evaluation cycle: the published rule set, compiled
 * once, over every active customer, batch by batch (one statement loads a
 * batch's facts, one writes its firings). Each firing is stored with the
 * facts its rule read and which comparisons held, so "why did this fire for
 * this customer" has an answer.
 */
import type { Db, Queryable } from "../db/mod.ts";
import { planBatches } from "../health/mod.ts";
import {
  type CompilableRule,
  compileRuleSet,
  type Firing,
  type LeafExplanation,
} from "./compile.ts";
import { type CustomerFacts, loadCustomerFacts } from "./customer_facts.ts";
import type { RuleDefinition } from "./rule_schema.ts";

/** What the stage did. */
export interface RuleStageResult {
  rules: number;
  customers: number;
  firings: number;
  batches: number;
  /** Evaluations that threw, by rule id: that rule skipped for that customer, the rest went on. */
  errors: Record<string, number>;
}

/** The published version of every rule that runs. */
export async function loadPublishedRules(db: Queryable): Promise<CompilableRule[]> {
  const rows = await db.query<{ id: string; version: number; definition: RuleDefinition }>(
    `select r.id, r.published_version as version, v.definition
     from rules r join rule_versions v on v.rule_id = r.id and v.version = r.published_version
     where r.status = 'published'
     order by r.id`,
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

/** Evaluates the published rules for every customer active at `asOf`; stores the firings. */
export async function evaluateRulesForCycle(
  db: Db,
  options: {
    asOf: Date;
    cycleId: number;
    batchSize: number;
    onProgress?: (done: number, total: number) => void;
  },
): Promise<RuleStageResult> {
  const rules = await loadPublishedRules(db);
  const result: RuleStageResult = {
    rules: rules.length,
    customers: 0,
    firings: 0,
    batches: 0,
    errors: {},
  };
  if (rules.length === 0) return result;
  const compiled = compileRuleSet(rules);
  // Built on the first failure: each rule alone, to find which one threw.
  let singles: Array<{ id: string; set: ReturnType<typeof compileRuleSet> }> | null = null;
  const isolated = async (facts: CustomerFacts): Promise<Firing[]> => {
    singles ??= rules.map((rule) => ({ id: rule.id, set: compileRuleSet([rule]) }));
    const fired: Firing[] = [];
    for (const { id, set } of singles) {
      try {
        fired.push(...await set.evaluateAll(facts));
      } catch {
        result.errors[id] = (result.errors[id] ?? 0) + 1;
      }
    }
    // The set's order: priority first, then the rules' order.
    return fired.sort((a, b) => b.priority - a.priority);
  };
  const batches = await planBatches(db, options.asOf, options.batchSize);
  const total = batches.reduce((sum, batch) => sum + batch.size, 0);
  for (const batch of batches) {
    const customers = await loadCustomerFacts(db, batch, options.asOf);
    const rows: FiringRow[] = [];
    for (const { customerId, facts } of customers) {
      let fired: Firing[];
      let why: Map<string, readonly LeafExplanation[]>;
      try {
        fired = compiled.fallback.length === 0
          ? compiled.evaluate(facts)
          : await compiled.evaluateAll(facts);
        if (fired.length === 0) continue;
        // Explanations only for the customers something fired for: the rare, slow path.
        why = new Map(compiled.explain(facts).map((e) => [e.ruleId, e.conditions]));
      } catch {
        // A rule threw on this customer's facts: the others still run for them.
        fired = await isolated(facts);
        why = new Map();
        for (const firing of fired) {
          const single = singles!.find((s) => s.id === firing.ruleId)!.set;
          why.set(firing.ruleId, single.explain(facts)[0]?.conditions ?? []);
        }
      }
      for (const firing of fired) {
        const conditions = why.get(firing.ruleId) ?? [];
        rows.push({
          customer_id: customerId,
          rule_id: firing.ruleId,
          rule_version: firing.version,
          priority: firing.priority,
          event: firing.event,
          facts: factsRead(conditions, facts),
          conditions: [...conditions],
        });
      }
    }
    if (rows.length > 0) await storeFirings(db, options.cycleId, options.asOf, rows);
    result.customers += customers.length;
    result.firings += rows.length;
    result.batches++;
    options.onProgress?.(result.customers, total);
  }
  return result;
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

async function storeFirings(
  db: Queryable,
  cycleId: number,
  firedAt: Date,
  rows: FiringRow[],
): Promise<void> {
  await db.query(
    `insert into rule_firings (cycle_id, customer_id, rule_id, rule_version, priority, event,
       facts, conditions, fired_at)
     select $1, f.customer_id, f.rule_id, f.rule_version, f.priority, f.event, f.facts,
       f.conditions, $2
     from jsonb_to_recordset($3::jsonb) as f(customer_id text, rule_id text, rule_version int,
       priority int, event jsonb, facts jsonb, conditions jsonb)
     -- A cycle that resumes fires nothing twice.
     on conflict (cycle_id, customer_id, rule_id) do nothing`,
    [cycleId, firedAt, rows],
  );
}
