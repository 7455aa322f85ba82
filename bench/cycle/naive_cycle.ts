/**
 * The cycle benchmark's baseline: a whole cycle done the straightforward way,
 * one customer at a time — score its health (bench/health/naive.ts), read its
 * facts, run json-rules-engine (one reused Engine) over the same published
 * rules, and insert its firings — in one transaction that is rolled back, so
 * nothing of it stays. One transaction spares the baseline a commit per
 * customer: it flatters the baseline, so the ratio errs low.
 */
import type { Db } from "../../engine/db/mod.ts";
import type { HealthModel } from "../../engine/health/mod.ts";
import {
  type CompilableRule,
  evaluateWithReference,
  loadCustomerFacts,
} from "../../engine/rules/mod.ts";
import { naiveScorer } from "../health/naive.ts";

/** What the naive pass did. */
export interface NaiveCycle {
  customers: number;
  firings: number;
  seconds: number;
  perSecond: number;
}

class RollBack extends Error {}

/** Runs the naive cycle over `customerIds`; the firings go to cycle `cycleId` (rolled back). */
export async function measureNaiveCycle(
  db: Db,
  customerIds: readonly string[],
  options: {
    model: HealthModel;
    rules: readonly CompilableRule[];
    asOf: Date;
    changeThreshold: number;
    cycleId: number;
    onProgress: (done: number) => void;
  },
): Promise<NaiveCycle> {
  const scorer = naiveScorer(options.model, options);
  let customers = 0;
  let firings = 0;
  let seconds = 0;
  try {
    await db.transaction(async (tx) => {
      const started = performance.now();
      for (const id of customerIds) {
        await scorer.scoreCustomer(tx, id);
        const [customer] = await loadCustomerFacts(tx, { ids: [id] }, options.asOf);
        const fired = customer ? await evaluateWithReference(options.rules, customer.facts) : [];
        for (const firing of fired) {
          await tx.query(
            `insert into rule_firings (cycle_id, customer_id, rule_id, rule_version, priority,
               event, facts, conditions, fired_at)
             values ($1, $2, $3, $4, $5, $6, $7, '[]', $8)`,
            [
              options.cycleId,
              id,
              firing.ruleId,
              firing.version,
              firing.priority,
              firing.event,
              customer!.facts,
              options.asOf,
            ],
          );
        }
        customers++;
        firings += fired.length;
        options.onProgress(customers);
      }
      seconds = (performance.now() - started) / 1000;
      throw new RollBack();
    });
  } catch (error) {
    if (!(error instanceof RollBack)) throw error;
  }
  return { customers, firings, seconds, perSecond: customers / seconds };
}
