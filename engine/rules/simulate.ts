/**
 * Simulation: what draft rules would do before anything is published. The
 * drafts replace the published rules of the same id (or join the set), and
 * the result is compared with the published set over every active customer,
 * or explained in full for one customer. Nothing is stored or sent.
 */
import type { Db } from "../db/mod.ts";
import { EngineError } from "../errors.ts";
import { planBatches } from "../health/mod.ts";
import { type CompilableRule, compileRuleSet, type RuleExplanation } from "./compile.ts";
import { type CustomerFacts, type ExtraFacts, loadCustomerFacts } from "./customer_facts.ts";
import { factsRead, loadPublishedRules } from "./evaluate_cycle.ts";
import type { RuleDefinition } from "./rule_schema.ts";

/** A draft to simulate: a rule id (new or published) and its definition, validated. */
export interface DraftRule {
  id: string;
  definition: RuleDefinition;
}

/** How one rule's firings change if the drafts were published. */
export interface RuleImpact {
  ruleId: string;
  /** Whether the rule is one of the drafts. */
  draft: boolean;
  /** Customers it fires for with the drafts, and with the published set. */
  withDrafts: number;
  published: number;
  /** Customers it would start and stop firing for. */
  newlyFiring: number;
  noLongerFiring: number;
  /** Some customers it would newly fire for, with the facts it read. */
  examples: Array<{ customerId: string; facts: CustomerFacts }>;
  /**
   * For a draft, when `listCustomers` asks: the first customers (by id) it
   * would fire for, start and stop firing for, so a person can look at them.
   */
  customers?: { firing: string[]; starting: string[]; stopping: string[] };
}

/** The whole population's answer. */
export interface PopulationSimulation {
  asOf: string;
  customers: number;
  rules: RuleImpact[];
}

/** One customer's answer: every rule explained, drafts and published side by side. */
export interface CustomerSimulation {
  asOf: string;
  customerId: string;
  facts: CustomerFacts;
  withDrafts: RuleExplanation[];
  published: RuleExplanation[];
}

const EXAMPLES = 5;

/** The rule set with `drafts` in place of the published rules of the same id. */
function withDrafts(published: readonly CompilableRule[], drafts: readonly DraftRule[]) {
  const byId = new Map(published.map((rule) => [rule.id, rule]));
  for (const draft of drafts) {
    // Version 0: not published yet.
    byId.set(draft.id, { id: draft.id, version: 0, definition: draft.definition });
  }
  return [...byId.values()];
}

/** Simulates `drafts` for every customer active at `asOf`. */
export async function simulatePopulation(
  db: Db,
  drafts: readonly DraftRule[],
  options: {
    asOf: Date;
    batchSize: number;
    extraFacts?: ExtraFacts | undefined;
    /** How many customers of each kind to list per draft (none when not given). */
    listCustomers?: number;
  },
): Promise<PopulationSimulation> {
  const listed = options.listCustomers ?? 0;
  const note = (list: string[] | undefined, customerId: string) => {
    if (list && list.length < listed) list.push(customerId);
  };
  const published = await loadPublishedRules(db);
  const draftSet = compileRuleSet(withDrafts(published, drafts));
  const publishedSet = compileRuleSet(published);
  const draftIds = new Set(drafts.map((d) => d.id));
  const impacts = new Map<string, RuleImpact>();
  const impact = (ruleId: string) => {
    let found = impacts.get(ruleId);
    if (!found) {
      found = {
        ruleId,
        draft: draftIds.has(ruleId),
        withDrafts: 0,
        published: 0,
        newlyFiring: 0,
        noLongerFiring: 0,
        examples: [],
        ...(listed > 0 && draftIds.has(ruleId)
          ? { customers: { firing: [], starting: [], stopping: [] } }
          : {}),
      };
      impacts.set(ruleId, found);
    }
    return found;
  };
  for (const id of draftIds) impact(id);
  let customers = 0;
  for (const batch of await planBatches(db, options.asOf, options.batchSize)) {
    const loaded = await loadCustomerFacts(db, batch, options.asOf, options.extraFacts);
    for (const { customerId, facts } of loaded) {
      customers++;
      const now = new Set((await publishedSet.evaluateAll(facts)).map((f) => f.ruleId));
      const next = new Set((await draftSet.evaluateAll(facts)).map((f) => f.ruleId));
      for (const ruleId of next) {
        const entry = impact(ruleId);
        entry.withDrafts++;
        note(entry.customers?.firing, customerId);
        if (!now.has(ruleId)) {
          entry.newlyFiring++;
          note(entry.customers?.starting, customerId);
          if (entry.examples.length < EXAMPLES) {
            const why = draftSet.explain(facts).find((e) => e.ruleId === ruleId);
            entry.examples.push({ customerId, facts: factsRead(why?.conditions ?? [], facts) });
          }
        }
      }
      for (const ruleId of now) {
        const entry = impact(ruleId);
        entry.published++;
        if (!next.has(ruleId)) {
          entry.noLongerFiring++;
          note(entry.customers?.stopping, customerId);
        }
      }
    }
  }
  // Drafts first, then what changes most.
  const rules = [...impacts.values()].sort((a, b) =>
    Number(b.draft) - Number(a.draft) ||
    (b.newlyFiring + b.noLongerFiring) - (a.newlyFiring + a.noLongerFiring) ||
    a.ruleId.localeCompare(b.ruleId)
  );
  return { asOf: options.asOf.toISOString(), customers, rules };
}

/** Simulates `drafts` for one customer, with every rule explained. */
export async function simulateCustomer(
  db: Db,
  drafts: readonly DraftRule[],
  options: { asOf: Date; customerId: string; extraFacts?: ExtraFacts | undefined },
): Promise<CustomerSimulation> {
  const [row] = await loadCustomerFacts(
    db,
    { ids: [options.customerId] },
    options.asOf,
    options.extraFacts,
  );
  if (!row) {
    throw new EngineError(
      "CUSTOMER_NOT_FOUND",
      `No customer "${options.customerId}" active at ${options.asOf.toISOString()}: rules run ` +
        "only for customers signed up and not churned then",
    );
  }
  const published = await loadPublishedRules(db);
  return {
    asOf: options.asOf.toISOString(),
    customerId: row.customerId,
    facts: row.facts,
    withDrafts: compileRuleSet(withDrafts(published, drafts)).explain(row.facts),
    published: compileRuleSet(published).explain(row.facts),
  };
}
